"""NPI check digit: Luhn over the prefix 80840 and the first nine digits (CMS NPI standard)."""


def is_valid_npi(npi: str) -> bool:
    """True when npi is ten digits whose last digit is the Luhn check digit."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])
