"""The one kind of refusal a participant sees: an action that cannot be done now."""


class SubmissionRefused(Exception):
    """Why this action cannot be done now, in words shown to the participant."""
