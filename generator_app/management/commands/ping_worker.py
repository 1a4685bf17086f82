"""`manage.py ping_worker`: send the ping task and wait for a worker to answer."""

from django.core.management.base import BaseCommand, CommandError

from generator_app import task_queue


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args, timeout, **options):
        result = task_queue.send_task(task_queue.PING)
        try:
            answer = result.get(timeout=timeout)
        except Exception as error:  # TimeoutError, broker errors: say which
            raise CommandError(
                f"no answer from a worker within {timeout:g}s ({type(error).__name__}: {error})"
            ) from None
        self.stdout.write(self.style.SUCCESS(f"pong from {answer['hostname']} (pid {answer['pid']})"))
