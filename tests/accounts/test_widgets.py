"""QuickSelect draws the same <select> as Django's, without a template per option."""

from html.parser import HTMLParser

from django import forms

from accounts.widgets import QuickSelect

CHOICES = [("", "Choisir"), ("a", "Peinture & caves"), ("b", "Jardin <partagé>")]


class Plain(forms.Form):
    place = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "form-select"}))


class Quick(forms.Form):
    place = forms.ChoiceField(choices=CHOICES, widget=QuickSelect(attrs={"class": "form-select"}))


class _Parsed(HTMLParser):
    """Tags with their attributes (order aside) and the text: what a browser makes of it."""

    def __init__(self, html):
        super().__init__()
        self.items = []
        self.feed(str(html))

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, frozenset(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.items.append(data.strip())


def test_it_draws_the_same_select_as_django_with_the_choice_kept_and_text_escaped():
    for data in (None, {"place": "b"}):
        plain = Plain(data)["place"].as_widget()
        quick = Quick(data)["place"].as_widget()
        assert _Parsed(quick).items == _Parsed(plain).items
    quick = Quick({"place": "b"})["place"].as_widget()
    assert '<option value="b" selected>Jardin &lt;partagé&gt;</option>' in quick
