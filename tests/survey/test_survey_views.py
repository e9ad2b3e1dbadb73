"""The survey pages through the real client: the respondent's form without an account, the
secretariat's pages, respondents' data for the survey administrator only, anonymised export."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from survey_builders import SurveyWorld, answered, invitation, survey_world

from parindex.survey import services
from parindex.survey.models import (
    AnswerCount,
    PersonalDataRead,
    Questionnaire,
    RespondentDetail,
    Response,
    SampleTarget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(db: None) -> SurveyWorld:
    return survey_world()


def _client(user: object | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def test_survey_respondent_answers_without_an_account(sw: SurveyWorld) -> None:
    found = invitation(sw)
    page = _client().get(f"/s/{found.code.lower()[:4]}-{found.code.lower()[4:]}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sở SO_NV" in text and 'name="q_q3"' in text and "Rất hài lòng" in text
    saved = _client().post(
        reverse("survey:answer_save", kwargs={"code": found.code}),
        {"question": "q1", "answer": "4"},
    )
    assert saved.json() == {"saved": True, "answered": 1}
    sent = _client().post(f"/s/{found.code}/", {"q_q2": "5", "q_q3": "3"})
    assert sent.status_code == 200
    assert "Thank you" in sent.content.decode() or "Cảm ơn" in sent.content.decode()
    assert Response.objects.get(invitation=found).answers == {"q1": "4", "q2": "5", "q3": "3"}
    again = _client().get(f"/s/{found.code}/")
    assert again.status_code == 410
    resent = _client().post(f"/s/{found.code}/", {"q_q1": "1"})
    assert resent.status_code == 410
    assert AnswerCount.objects.get(question="q1").answer == "4"


def test_survey_unknown_code_and_bad_answer(sw: SurveyWorld) -> None:
    assert _client().get("/s/ZZZZZZZZ/").status_code == 404
    entered = _client().post(reverse("survey:enter"), {"code": "nope"})
    assert entered.status_code == 400
    found = invitation(sw)
    refused = _client().post(
        reverse("survey:answer_save", kwargs={"code": found.code}),
        {"question": "q1", "answer": "7"},
    )
    assert refused.status_code == 400 and "q1" in refused.json()["error"]
    typed = _client().post(reverse("survey:enter"), {"code": found.code.lower()})
    assert typed.status_code == 302 and typed["Location"].endswith(f"/s/{found.code}/")


def test_survey_campaign_pages_for_the_secretariat(sw: SurveyWorld) -> None:
    answered(sw, {"q1": "5", "q2": "4", "q3": "4"})
    client = _client(sw.secretariat)
    pk = sw.campaign.pk
    detail = client.get(f"/survey/{pk}/").content.decode()
    assert "Khảo sát sự hài lòng 2024" in detail and "Người dân" in detail
    # each question with the survey criteria it feeds: q1, q2 → 2.1 (both groups); q3 → 2.2
    assert "<td>q3</td><td>Hài lòng về thái độ công chức</td><td>2.2</td>" in detail
    assert detail.count("<td>q1</td>") == 2 and detail.count("<td>q3</td>") == 1
    results = client.get(f"/survey/{pk}/results/").content.decode()
    assert "SO_TP" in results  # low sample flagged
    assert "1.0000" in results or "1,0000" in results  # q1 mean share of SO_NV
    posted = client.post(
        f"/survey/{pk}/targets/",
        {f"population_{sw.world.units['SO_NV'].pk}_nguoi_dan": "1.000"},
    )
    assert posted.status_code == 302
    assert SampleTarget.objects.get().target == 286
    bad = client.post(
        f"/survey/{pk}/targets/", {f"target_{sw.world.units['SO_NV'].pk}_nguoi_dan": "ba"}
    )
    assert bad.status_code == 400
    made = client.post(
        f"/survey/{pk}/invitations/",
        {"unit": str(sw.world.units["SO_TP"].pk), "group": "cbccvc", "count": "3"},
    )
    assert made.status_code == 302
    cards = client.get(f"/survey/{pk}/invitations/print/?unit=SO_TP&group=cbccvc")
    assert cards.content.decode().count("<svg") == 3


def test_survey_pages_are_404_for_units_and_other_authorities(sw: SurveyWorld) -> None:
    pk = sw.campaign.pk
    for user in (sw.world.focal["SO_NV"], sw.world.head["SO_TP"]):
        client = _client(user)
        for path in (f"/survey/{pk}/", f"/survey/{pk}/results/", f"/survey/{pk}/answers.csv"):
            assert client.get(path).status_code == 404
    assert _client().get(f"/survey/{pk}/").status_code == 302  # to the login page


def test_survey_questionnaire_download_and_upload_round_trip(sw: SurveyWorld) -> None:
    client = _client(sw.secretariat)
    pk = sw.campaign.pk
    yaml_reply = client.get(f"/survey/{pk}/questionnaires/nguoi_dan.yaml")
    assert yaml_reply.status_code == 200
    edited = yaml_reply.content.replace(b"title: ", b"title: (2) ", 1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("phieu.yaml", edited)
    assert client.post(f"/survey/{pk}/questionnaires/", {"file": upload}).status_code == 302
    assert Questionnaire.objects.get(group="nguoi_dan").title.startswith("(2) ")
    xlsx = client.get(f"/survey/{pk}/questionnaires/nguoi_dan.xlsx")
    assert xlsx.content[:2] == b"PK"
    broken = SimpleUploadedFile("phieu.yaml", b"questionnaire: [")
    refused = client.post(f"/survey/{pk}/questionnaires/", {"file": broken})
    assert refused.status_code == 400


def test_survey_personal_data_only_for_the_survey_admin_and_logged(
    sw: SurveyWorld, caplog: pytest.LogCaptureFixture
) -> None:
    Questionnaire.objects.filter(group="nguoi_dan").update(
        yaml_text=Questionnaire.objects.get(group="nguoi_dan").yaml_text.replace(
            "personal: []", "personal:\n  - {code: phone, label: Số điện thoại, required: false}"
        )
    )
    found = invitation(sw)
    services.response_submit(
        invitation=found, answers={"q1": "5"}, personal={"phone": "0912 345 678"}
    )
    assert RespondentDetail.objects.get().data == {"phone": "0912 345 678"}
    path = f"/survey/{sw.campaign.pk}/respondents/"
    assert _client(sw.secretariat).get(path).status_code == 404
    with caplog.at_level(logging.WARNING, logger="parindex.security"):
        page = _client(sw.admin).get(path)
    assert page.status_code == 200 and "0912 345 678" in page.content.decode()
    read = PersonalDataRead.objects.get()
    assert (read.user, read.responses, read.what) == (sw.admin, 1, "page")
    assert any("personal_data_read" in r.getMessage() for r in caplog.records)
    export = _client(sw.secretariat).get(f"/survey/{sw.campaign.pk}/answers.csv")
    body = export.content.decode("utf-8-sig")
    assert "0912" not in body and found.code not in body
    assert body.splitlines()[0] == "n,unit,group,day,q1,q2,q3"
    assert body.splitlines()[1].startswith("1,SO_NV,nguoi_dan,")


def test_survey_results_feed_the_cycle_computation(sw: SurveyWorld) -> None:
    from parindex.results.services import survey_for

    answered(sw, {"q1": "5", "q2": "5", "q3": "5"})
    tally = survey_for(sw.world.cycle)
    assert tally is not None
    assert tally.answers[("SO_NV", "nguoi_dan", "q1")] == {5: 1}
    assert tally.responses == {("SO_NV", "nguoi_dan"): 1}
    assert Decimal(tally.accepted) == 1


def test_survey_low_samples_are_shown_before_the_chair_finalises(sw: SurveyWorld) -> None:
    from assessment_builders import advance

    from parindex.assessments.models import Phase

    for _ in range(3):
        answered(sw, {"q1": "5", "q2": "4", "q3": "4"}, unit="SO_NV", group="nguoi_dan")
        answered(sw, {"q1": "4", "q2": "4"}, unit="SO_NV", group="cbccvc")
    sw.world.cycle = advance(sw.world, Phase.EXPLANATION)
    client = _client(sw.world.chair)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cycles/{sw.world.cycle.pk}/explanations/").content.decode()
    assert "1 unit(s) have fewer than 3 answers" in page
    assert "Sở SO_TP" in page and "Sở SO_NV" not in page.split("fewer than")[1]


def test_survey_campaign_dates_can_be_changed_but_not_reversed(sw: SurveyWorld) -> None:
    from parindex.survey.models import Campaign

    client = _client(sw.secretariat)
    path = f"/survey/{sw.campaign.pk}/edit/"
    page = client.get(path).content.decode()
    assert 'value="Khảo sát sự hài lòng 2024"' in page
    data = {
        "title": "Khảo sát sự hài lòng 2024 (gia hạn)",
        "opens_at": "2024-09-01T08:00",
        "closes_at": "2024-12-31T17:00",
        "margin": "0.05",
    }
    assert client.post(path, data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.title.endswith("(gia hạn)")
    assert campaign.closes_at.isoformat() == "2024-12-31T10:00:00+00:00"  # 17:00 in Vietnam
    reversed_dates = client.post(path, {**data, "closes_at": "2024-08-01T08:00"})
    assert reversed_dates.status_code == 200
    assert Campaign.objects.get().closes_at == campaign.closes_at
