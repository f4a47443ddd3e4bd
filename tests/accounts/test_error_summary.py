"""A refused form says at its top what to correct: how many errors, and a link to each field in
error (which carries aria-invalid and points to its message), its own errors included; what was
typed stays in the fields. One mechanism (accounts.forms_rendering.render_error_summary), drawn
by ``{{ form|as_fields }}`` or, where a template places the fields itself, ``{% form_errors %}``."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse

from accounts.forms_rendering import render_error_summary
from tests.factories import ProgrammeFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Templates whose forms are drawn field by field without the summary, and why.
WITHOUT_SUMMARY = {
    # One small form per person in the group's list: its message sits beside its one field.
    "chantiers/_group_row.html",
}


def _summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_a_refused_participant_form_lists_its_errors_with_links_to_the_fields(
    client, counsellor, operator
):
    ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    client.force_login(counsellor)
    data = {"last_name": "Tahiri", "birth_date": "14/03/1991x", "postcode": "1080"}
    response = client.post(reverse("participants:create"), data)
    assert response.status_code == 200
    html = response.text
    summary = _summary(html)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    links = dict(re.findall(r'<a href="#(id_\w+)">([^<]*)</a>', summary))
    assert links.keys() >= {"id_first_name", "id_birth_date", "id_gender"}
    assert links["id_first_name"].startswith("Prénom : ")
    count = len(re.findall(r"<li>", summary))
    assert f"Le formulaire contient {count} erreurs." in summary
    # The summary comes before the form's first field, once.
    assert html.count("data-error-summary") == 1
    assert html.index("error-summary") < html.index('id="id_last_name"')
    # Every field named in the summary exists, is marked invalid and described by its message.
    for field_id in links:
        tag = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"{field_id}_error" in described
        assert f'id="{field_id}_error"' in html
    # What was typed is still there.
    assert re.search(r'<input[^>]*name="last_name"[^>]*value="Tahiri"', html) or re.search(
        r'<input[^>]*value="Tahiri"[^>]*name="last_name"', html
    )
    assert 'value="1080"' in html and 'value="14/03/1991x"' in html


def test_a_form_without_errors_has_no_summary(client, counsellor):
    client.force_login(counsellor)
    assert "error-summary" not in client.get(reverse("participants:create")).text


class _Signup(forms.Form):
    name = forms.CharField(label="Nom")
    secret = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def clean(self):
        raise forms.ValidationError("Deux <erreurs> du formulaire.")


def test_the_summary_counts_the_forms_own_errors_and_links_only_to_visible_fields():
    form = _Signup(data={"name": ""}, prefix="s")
    summary = render_error_summary(form)
    assert "Le formulaire contient 4 erreurs." in summary
    assert "<li>Deux &lt;erreurs&gt; du formulaire.</li>" in summary  # escaped
    assert '<a href="#id_s-name">Nom : Ce champ est obligatoire.</a>' in summary
    assert '<a href="#id_s-kind_0">' in summary  # a radio list: its first button
    assert "<li>Secret : Ce champ est obligatoire.</li>" in summary  # hidden: no link
    assert 'id="s-error-summary"' in summary and 'aria-labelledby="s-error-summary"' in summary
    parse_html(summary)  # well formed
    assert render_error_summary(_Signup()) == ""  # not submitted: nothing to say


def test_one_error_is_said_in_the_singular():
    class One(forms.Form):
        name = forms.CharField(label="Nom")

    assert "Le formulaire contient 1 erreur." in render_error_summary(One(data={}))


def test_the_tag_and_the_filter_draw_the_same_summary():
    form = _Signup(data={"name": ""})
    tag = Template("{% load bootstrap_forms %}{% form_errors form %}")
    assert tag.render(Context({"form": form})) == render_error_summary(form)
    whole = Template("{% load bootstrap_forms %}{{ form|as_fields }}").render(
        Context({"form": form})
    )
    assert whole.startswith(render_error_summary(form))
    assert whole.count("Deux &lt;erreurs&gt;") == 1  # the form's own errors once, in the summary


def test_every_template_that_places_fields_itself_draws_the_summary():
    """``{{ form.x|as_field }}`` field by field: the template must say ``{% form_errors form %}``
    (``{{ form|as_fields }}`` draws it by itself)."""
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = str(path.relative_to(TEMPLATES))
        text = path.read_text(encoding="utf-8")
        forms_placed = set(re.findall(r"\{\{\s*([\w.]+)\.\w+\|as_field\s*\}\}", text))
        loop = r"\{%\s*for \w+ in ([\w.]+)\s*%\}\{\{\s*\w+\|as_field"
        forms_placed |= set(re.findall(loop, text))
        for form in sorted(forms_placed):
            if not re.search(r"\{%\s*form_errors " + re.escape(form) + r"\s*%\}", text):
                missing.append(f"{name}: {form}")
    assert [
        m
        for m in missing
        if m.split(":")[0] not in WITHOUT_SUMMARY and not _included_under_a_summary(m)
    ] == []


def _included_under_a_summary(missing: str) -> bool:
    """A piece (``_name.html``) placing a form's fields is fine when every page that includes it
    draws that form's summary."""
    name, form = missing.split(": ")
    if not Path(name).name.startswith("_"):
        return False
    pages = [
        path.read_text(encoding="utf-8")
        for path in TEMPLATES.rglob("*.html")
        if f'{{% include "{name}"' in path.read_text(encoding="utf-8")
    ]
    summary = r"\{%\s*form_errors " + re.escape(form) + r"\s*%\}"
    return bool(pages) and all(re.search(summary, page) for page in pages)
