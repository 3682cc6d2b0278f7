"""Building block for the nested parts of event payloads."""

from pydantic import BaseModel, ConfigDict


class Part(BaseModel):
    """A frozen, closed value inside an event payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)
