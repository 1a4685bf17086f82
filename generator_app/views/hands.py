"""Pages of a user's own hands: list and create, review and upload, learn, cancel, rename, delete.

Each view parses input, calls one service or selector and renders; another user's
hand answers 404 (``hand_for_viewer``). Posts that create a hand or queue a worker job
spend the Generate page's budget, so the worker queue cannot be flooded from these pages.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from generator_app.selectors.hands import hand_for_viewer, hands_for, review_for
from generator_app.services import hands as service
from generator_app.throttles import GenerationCreateThrottle, Throttled, check_throttle, render_throttled
from generator_app.views.hand_forms import HandNameForm, SheetUploadForm
from ml.hands.template_pdf import template_pdf


def _errors(form, error: ValidationError):
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def template(request):
    response = HttpResponse(template_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="handgen-sheet.pdf"'
    return response


def hand_list(request):
    form = HandNameForm(request.POST or None)
    if request.method == "POST":
        try:
            check_throttle(request, GenerationCreateThrottle)
        except Throttled as throttled:
            return render_throttled(request, "generator_app/hands.html",
                                    {"hands": hands_for(user=request.user), "form": form}, throttled)
    if request.method == "POST" and form.is_valid():
        try:
            hand = service.create_hand(owner=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            _errors(form, error)
        else:
            return redirect("hand_detail", pk=hand.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "generator_app/hands.html", {"hands": hands_for(user=request.user), "form": form},
                  status=status)


def _detail(request, hand, *, upload_form=None, name_form=None, status=200):
    return render(request, "generator_app/hand_detail.html", {
        "hand": hand, "review": review_for(hand=hand), "sheets": hand.sheets.all()[:5],
        "upload_form": upload_form or SheetUploadForm(), "name_form": name_form or HandNameForm(initial={"name": hand.name}),
        "working": hand.busy or hand.sheets.filter(status__in=["pending", "processing"]).exists(),
    }, status=status)  # fmt: skip


def _throttled_detail(request, hand, throttled):
    messages.error(request, throttled.message)
    response = _detail(request, hand, status=429)
    response["Retry-After"] = str(int(throttled.wait or 0) + 1)
    return response


def hand_detail(request, pk):
    return _detail(request, hand_for_viewer(user=request.user, hand_id=pk))


@require_POST
def upload_sheet(request, pk):
    hand = hand_for_viewer(user=request.user, hand_id=pk)
    try:
        check_throttle(request, GenerationCreateThrottle)
    except Throttled as throttled:
        return _throttled_detail(request, hand, throttled)
    form = SheetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.upload_sheet(hand=hand, upload=form.cleaned_data["image"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Sheet uploaded: it is being read.")
            return redirect("hand_detail", pk=hand.pk)
    return _detail(request, hand, upload_form=form, status=400)


@require_POST
def toggle_glyph(request, pk, glyph_id):
    hand = hand_for_viewer(user=request.user, hand_id=pk)
    glyph = hand.glyphs.filter(pk=glyph_id).first()
    if glyph is None:
        return _detail(request, hand, status=404)
    service.set_glyph_dropped(glyph=glyph, dropped=request.POST.get("dropped") == "1")
    return redirect("hand_detail", pk=hand.pk)


@require_POST
def learn(request, pk):
    hand = hand_for_viewer(user=request.user, hand_id=pk)
    try:
        check_throttle(request, GenerationCreateThrottle)
    except Throttled as throttled:
        return _throttled_detail(request, hand, throttled)
    try:
        service.start_learning(hand=hand)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, hand, status=400)
    return redirect("hand_detail", pk=hand.pk)


@require_POST
def cancel(request, pk):
    service.cancel_learning(hand=hand_for_viewer(user=request.user, hand_id=pk))
    return redirect("hand_detail", pk=pk)


@require_POST
def rename(request, pk):
    hand = hand_for_viewer(user=request.user, hand_id=pk)
    form = HandNameForm(request.POST)
    if form.is_valid():
        try:
            service.rename_hand(hand=hand, name=form.cleaned_data["name"])
        except ValidationError as error:
            _errors(form, error)
        else:
            return redirect("hand_detail", pk=hand.pk)
    hand.refresh_from_db()
    return _detail(request, hand, name_form=form, status=400)


@require_POST
def delete(request, pk):
    service.delete_hand(hand=hand_for_viewer(user=request.user, hand_id=pk))
    messages.success(request, "The hand and its files were deleted.")
    return redirect("hands")
