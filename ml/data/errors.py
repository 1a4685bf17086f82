"""One exception type for every bad-input case, so callers can show the message as is."""


class DatasetError(ValueError):
    """A dataset file or folder is unusable; the message names the file and the problem."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
