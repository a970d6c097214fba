from django import forms


class NonceForm(forms.Form):
    """A one-time key put in the form when the page is shown: a double tap or a resubmitted
    form carries the same key, so the wallet does the thing once and shows that result."""

    nonce = forms.UUIDField(widget=forms.HiddenInput)
