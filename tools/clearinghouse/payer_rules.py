"""The simulated payers and their rules, read from payers.json."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tools.clearinghouse.claims import ServiceLine

ACCEPTED_CATEGORIES = ("A1", "A2")


class PayerRulesModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayerAddress(PayerRulesModel):
    line1: str
    city: str
    state: str = Field(pattern=r"^[A-Z]{2}$")
    postal_code: str = Field(pattern=r"^\d{5}(\d{4})?$")


class PayRules(PayerRulesModel):
    """Pay a fraction of each line; the patient owes deductible, copay and coinsurance out of it."""

    kind: Literal["pay"]
    allowed_fraction: Decimal = Field(gt=0, le=1)
    copay: Decimal = Field(default=Decimal("0"), ge=0, description="on the first line only")
    coinsurance_rate: Decimal = Field(default=Decimal("0"), ge=0, le=1, description="on the other lines")
    deductible: Decimal = Field(default=Decimal("0"), ge=0, description="per line, before copay/coinsurance")
    deductible_procedure_codes: frozenset[str] = Field(
        default=frozenset(), description="lines with these codes have the deductible applied"
    )


class CodingDenial(PayerRulesModel):
    """A coding edit the payer applies to a line: this procedure billed without this modifier is refused."""

    procedure_code: str = Field(pattern=r"^[A-Z0-9]{5}$")
    required_modifier: str = Field(pattern=r"^[A-Z0-9]{2}$")
    reason: str = Field(default="4", description="CARC; 4 = procedure inconsistent with the modifier or one missing")
    remark: str = Field(default="N822", description="RARC; N822 = missing procedure modifier")

    def fires_on(self, line: ServiceLine) -> bool:
        """True when the line bills the procedure without the modifier the payer requires."""
        return line.procedure_code == self.procedure_code and self.required_modifier not in line.modifiers


class DenyRules(PayerRulesModel):
    """Deny every line; CO-197 instead of the usual reason when prior authorization is required but absent.

    coding_denials come first: a line one of them fires on is refused for that coding reason. A corrected
    claim (frequency 7) whose line no coding or authorization rule refuses is paid by corrected_claims, if
    set: the payer pays a replacement that fixed what it denied instead of refusing it again.
    """

    kind: Literal["deny"]
    reason: str = "50"
    remark: str = "N115"
    prior_authorization_required: bool = False
    no_authorization_reason: str = "197"
    no_authorization_remark: str = "M62"
    coding_denials: tuple[CodingDenial, ...] = ()
    corrected_claims: PayRules | None = Field(default=None, description="how a clean replacement claim is paid")


Adjudication = Annotated[PayRules | DenyRules, Field(discriminator="kind")]


class PayerConfig(PayerRulesModel):
    """One simulated payer: who it is, how it acknowledges and how it adjudicates."""

    payer_id: str = Field(pattern=r"^[A-Za-z0-9]{2,80}$")
    name: str = Field(min_length=1, max_length=60)
    address: PayerAddress
    billing_contact_phone: str = Field(pattern=r"^\d{10}$")
    tax_id: str = Field(pattern=r"^\d{9}$", description="EIN; TRN03 is '1' followed by it")
    acknowledgement_status: str = Field(
        default="A2:20", pattern=r"^A\d:\d+(:[0-9A-Z]{2,3})?$", description="277CA STC01 for its claims"
    )
    era_claim_filing_indicator: str = Field(
        default="12", description="CLP06 when the 837 SBR09 is not a code the 835 allows"
    )
    adjudication: Adjudication | None = Field(default=None, description="null: acknowledge only, no 835")

    @property
    def accepts_claims(self) -> bool:
        """True when the 277CA status puts its claims into adjudication."""
        return self.acknowledgement_status.split(":")[0] in ACCEPTED_CATEGORIES


class PayersFile(PayerRulesModel):
    payers: list[PayerConfig]


def load_payers(path: Path) -> dict[str, PayerConfig]:
    """Payers by payer id from a payers.json file."""
    payers = TypeAdapter(PayersFile).validate_json(path.read_bytes()).payers
    by_id = {payer.payer_id: payer for payer in payers}
    if len(by_id) != len(payers):
        raise ValueError(f"{path}: payer ids must be unique")
    return by_id
