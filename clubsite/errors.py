class CodedError(Exception):
    """A refusal with a stable `code` (for tests, logs and callers) and a translated
    `message` for people. Each app subclasses it with its own `messages`."""

    messages: dict = {}

    def __init__(self, code: str):
        if code not in self.messages:
            raise ValueError(f"unknown {type(self).__name__} code {code!r}")
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.messages[self.code])
