def mask_entirely(value: str) -> str:
    """The audit trail says that an identifier changed, never what it is: half of a national
    number plus the birth date logged beside it would give the whole number back."""
    return "••••" if value else ""
