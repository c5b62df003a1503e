"""The goal contribution form, as browsers send it, turned into the API's `ContributionCreate`."""

from babel import Locale
from pydantic import BaseModel, Field

from colony.goals.schemas import ContributionCreate
from colony.webapp.transactions.forms import amount_of


class ContributionForm(BaseModel):
    amount: str = Field(default="", max_length=200)
    date: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=1000)
    csrf_token: str = Field(default="", max_length=128)

    def to_create(self, locale: Locale) -> ContributionCreate:
        return ContributionCreate.model_validate({"amount": amount_of(self.amount, locale), "date": self.date.strip(),
                                                  "note": self.note.strip() or None})
