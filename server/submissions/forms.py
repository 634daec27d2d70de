from django import forms


class SubmissionForm(forms.Form):
    code = forms.FileField(
        label="main.py or a .zip with main.py at its root",
        widget=forms.ClearableFileInput(attrs={"accept": ".py,.zip"}),
    )
