"""The "Propose claims" page of a source in the admin: accept (possibly edited) or reject each proposal."""

import dataclasses

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from transfers.choices import Credibility, Stance
from transfers.models import Source

from .proposals import PROPOSAL_MARK, propose

ACCEPT, REJECT, LATER = "accept", "reject", "later"
# Accepting writes a claim (and maybe a transfer); rejecting is part of the same curation.
REQUIRED_PERMISSIONS = ("transfers.add_claim", "transfers.add_transfer", "transfers.add_proposalrejection")


class ProposalForm(forms.Form):
    """One proposal as the analyst may edit it before accepting."""

    fingerprint = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(LATER, "Decide later"), (ACCEPT, "Accept"), (REJECT, "Reject")], initial=LATER,
        widget=forms.RadioSelect,
    )
    supplier = forms.CharField(max_length=3, widget=forms.TextInput(attrs={"size": 4, "title": "supplier ISO3"}))
    recipient = forms.CharField(max_length=3, widget=forms.TextInput(attrs={"size": 4, "title": "recipient ISO3"}))
    materiel = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"size": 22, "title": "materiel slug"}))
    stance = forms.ChoiceField(choices=Stance.choices)
    claimant = forms.CharField(
        max_length=100, required=False,
        widget=forms.TextInput(attrs={"size": 20, "placeholder": "the source's own words",
                                      "title": "claimant: actor slug"}),
    )
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 42}))
    credibility = forms.TypedChoiceField(choices=Credibility.choices, coerce=int, initial=Credibility.CANNOT_JUDGE)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 26}), required=False)
    reason = forms.CharField(
        max_length=300, required=False,
        widget=forms.TextInput(attrs={"size": 16, "placeholder": "why rejected (optional)"}),
    )

    def clean_supplier(self):
        return self.cleaned_data["supplier"].strip().upper()

    def clean_recipient(self):
        return self.cleaned_data["recipient"].strip().upper()


ProposalFormSet = forms.formset_factory(ProposalForm, extra=0)


class ProposeClaimsMixin:
    """Adds the page (``<source>/propose/``) and a changelist action leading to it."""

    actions = ["propose_claims"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.propose_view)
        return [path("<path:object_id>/propose/", view, name="transfers_source_propose"), *super().get_urls()]

    @staticmethod
    def may_propose(request) -> bool:
        return request.user.has_perms(REQUIRED_PERMISSIONS)

    def propose_claims(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one source to propose claims from.", messages.WARNING)
            return None
        return redirect(reverse("admin:transfers_source_propose", args=[queryset.get().pk]))

    propose_claims.short_description = "Propose claims from the selected source"
    propose_claims.allowed_permissions = ("propose",)

    def has_propose_permission(self, request):
        return self.may_propose(request)

    def propose_view(self, request, object_id):
        if not self.may_propose(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        intake = propose(source)
        by_fingerprint = {p.fingerprint: p for p in intake.proposals}
        initial = [
            {"fingerprint": p.fingerprint, "supplier": p.supplier, "recipient": p.recipient, "materiel": p.materiel,
             "stance": p.stance, "claimant": p.claimant or "", "quote": p.quote,
             "credibility": Credibility.CANNOT_JUDGE,
             "note": f"{PROPOSAL_MARK}: {'; '.join(p.reasons)}."}
            for p in intake.proposals
        ]
        if request.method == "POST":
            formset = ProposalFormSet(request.POST, initial=initial)
            if formset.is_valid() and self._decide(request, source, formset, by_fingerprint):
                return redirect(reverse("admin:transfers_source_propose", args=[source.pk]))
        else:
            formset = ProposalFormSet(initial=initial)
        rows = [(form, by_fingerprint.get(form.initial.get("fingerprint") or form["fingerprint"].value()))
                for form in formset.forms]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": source, "title": f"Propose claims: {source}",
            "source": source, "intake": intake, "formset": formset, "rows": rows,
        }
        return TemplateResponse(request, "admin/transfers/source/propose_claims.html", context)

    def _decide(self, request, source, formset, by_fingerprint) -> bool:
        """Write every decision in one transaction; on any error, write none and show it on its row."""
        from transfers.services.intake import proposal_accept, proposal_reject

        accepted = rejected = 0
        try:
            with transaction.atomic():
                for form in formset.forms:
                    data = form.cleaned_data
                    proposal = by_fingerprint.get(data["fingerprint"])
                    if data["decision"] == LATER:
                        continue
                    if proposal is None:
                        form.add_error(None, "This proposal is no longer made (decided meanwhile?); reload.")
                        raise ValidationError("stale")
                    if data["decision"] == REJECT:
                        proposal_reject(source=source, proposal=proposal, user=request.user, reason=data["reason"])
                        rejected += 1
                        continue
                    edited = dataclasses.replace(
                        proposal, supplier=data["supplier"], recipient=data["recipient"], materiel=data["materiel"],
                        stance=data["stance"], claimant=data["claimant"] or None, quote=data["quote"],
                    )
                    try:
                        proposal_accept(source=source, proposal=edited, credibility=data["credibility"],
                                        note=data["note"])
                    except ValidationError as error:
                        _attach(form, error)
                        raise
                    accepted += 1
        except ValidationError:
            return False
        self.message_user(
            request, f"{accepted} accepted (drafts awaiting review), {rejected} rejected.", messages.SUCCESS
        )
        return True


def _attach(form: forms.Form, error: ValidationError) -> None:
    """Show a service's error on the form field it names (or the row, for fields the form lacks)."""
    # transfer_create / transfer_add name a claim's or a step's error by its list and position, with
    # the record's own field errors beside (api_detail): the quote's error belongs on the quote.
    nested = getattr(error, "api_detail", None)
    if nested:
        for items in nested.values():
            for item in items if isinstance(items, list) else []:
                for field, messages in (item or {}).items():
                    form.add_error(field if field in form.fields else None, messages)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None,
                           [f"{field}: {e}" if field not in form.fields else e for e in errors])
    else:
        form.add_error(None, error.messages)
