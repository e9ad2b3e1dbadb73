"""Links to the appraisal pages, for the cycle and sheet pages: `{% appraisal_links cycle %}`,
`{% appraisal_links cycle sheet %}`. Shown only to those the pages are for."""

from __future__ import annotations

from typing import Any

from django import template

from parindex.accounts.permissions import (
    appraiser_agencies,
    is_council_chair,
    is_secretariat,
)
from parindex.assessments.models import Assessment, Cycle, Phase

register = template.Library()

AFTER_SUBMISSION = (Phase.APPRAISAL, Phase.EXPLANATION, Phase.FINALISATION, Phase.PUBLISHED)


@register.inclusion_tag("assessments/appraisal/_links.html", takes_context=True)
def appraisal_links(
    context: dict[str, Any], cycle: Cycle, sheet: Assessment | None = None
) -> dict[str, Any]:
    user = context.get("user")
    authority_id = cycle.authority_id
    later = cycle.phase in AFTER_SUBMISSION
    appraiser = bool(appraiser_agencies(user, authority_id))
    council = is_council_chair(user, authority_id) or is_secretariat(user, authority_id)
    return {
        "cycle": cycle,
        "sheet": sheet,
        "worklist": later and appraiser and sheet is None,
        "explanations": later and (appraiser or council) and sheet is None,
        "changes": later and sheet is not None,
    }
