"""A user's own handwriting: the template sheet, reading a photo of it, and adapting a generator to it."""
