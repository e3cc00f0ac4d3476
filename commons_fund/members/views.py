"""Pages of members: my space, organisations, their members and invitations.

Views parse input, call a selector or a service and render; organisation management pages
answer 404 to anyone who is not an administrator, so their existence is not revealed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from commons_fund.forms import flash_errors, form_add_error, form_apply

from . import selectors, services
from .forms import (
    EmailPreferencesForm,
    InvitationForm,
    OrganisationForm,
    PostalAddressForm,
    RoleForm,
)
from .mailing import unsubscribe_link_read
from .models import EmailTopic, Invitation, InvitationStatus, LegalForm, Membership, Organisation
from .territories import REGION_CHOICES


def _admin_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not selectors.organisation_has_role(organisation=organisation, user=request.user):
        raise Http404
    return organisation


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "members/my_space.html",
        {
            "memberships": selectors.user_memberships(user=request.user),
            "invitations": [
                (invitation, selectors.invitation_token(invitation=invitation))
                for invitation in selectors.user_pending_invitations(user=request.user)
            ],
            "has_token": Token.objects.filter(user=request.user).exists(),
        },
    )


@login_required
def postal_address(request: HttpRequest) -> HttpResponse:
    """My postal address: the tax receipts of my gifts name it."""
    user = request.user
    form = PostalAddressForm(
        request.POST or None,
        initial={
            "street_address": user.street_address,
            "postal_code": user.postal_code,
            "city": user.city,
        },
    )
    if request.method == "POST" and form_apply(
        form, lambda data: services.user_postal_address_set(user=user, **data)
    ):
        messages.success(request, _("Your postal address is saved."))
        return redirect("members:my_space")
    return render(
        request,
        "members/postal_address.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    """My language and the emails I receive."""
    user = request.user
    form = EmailPreferencesForm(
        request.POST or None,
        initial={
            "language": user.language,
            "topics": sorted(
                set(EmailTopic.values) - set(user.email_opt_outs.values_list("topic", flat=True))
            ),
        },
    )
    if request.method == "POST" and form_apply(
        form,
        lambda data: services.user_email_preferences_set(
            user=user, language=data["language"], topics=data["topics"]
        ),
    ):
        messages.success(request, _("Your email preferences are saved."))
        return redirect("members:email_preferences")
    return render(request, "members/email_preferences.html", {"form": form})


@never_cache
@csrf_exempt  # mail programs send the one-click POST of RFC 8058 with no session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the foot of an email: GET asks to confirm (link checkers and previews
    open links), POST stops that topic's emails. The signed token is the only proof needed,
    and all it can do is stop one kind of email."""
    found = unsubscribe_link_read(token=token)
    if found is None:
        raise Http404
    user, topic = found
    done = request.method == "POST"
    if done:
        services.user_email_opt_out(user=user, topic=topic)
    return render(
        request, "members/unsubscribe.html", {"person": user, "topic": topic, "done": done}
    )


@login_required
@require_POST
def calendar_key_renew(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the secret address of my calendar feed."""
    services.user_calendar_key_renew(user=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("members:my_space")


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create or replace my API token; it is shown once."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    return render(request, "members/api_token.html", {"token": token.key})


def organisation_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    legal_form = request.GET.get("legal_form", "")
    region = request.GET.get("region", "")
    organisations = selectors.organisation_list(
        search=search,
        legal_form=legal_form if legal_form in LegalForm.values else "",
        region=region if region in dict(REGION_CHOICES) else "",
    )
    page = Paginator(organisations, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "members/organisation_list.html",
        {
            "page": page,
            "search": search,
            "legal_form": legal_form,
            "region": region,
            "legal_forms": LegalForm.choices,
            "regions": REGION_CHOICES,
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("The organisation was created; you are its administrator."))
            return redirect(organisation)
    return render(request, "members/organisation_form.html", {"form": form})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    membership = selectors.organisation_membership(organisation=organisation, user=request.user)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": selectors.organisation_members(organisation=organisation)
            if membership or request.user.is_staff
            else None,
        },
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _admin_organisation(request, slug)
    form = OrganisationForm(
        request.POST or None,
        request.FILES or None,
        instance=get_object_or_404(Organisation, pk=organisation.pk),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if fields.get("logo") is False:  # "clear" ticked on the file input
            fields["logo"] = ""
        try:
            organisation = services.organisation_update(
                organisation=organisation, actor=request.user, **fields
            )
        except ValidationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("The organisation was updated."))
            return redirect(organisation)
    return render(
        request,
        "members/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
        },
    )


@login_required
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _admin_organisation(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                inviter=request.user,
                language=get_language(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("members:organisation_members", slug=organisation.slug)
    memberships = selectors.organisation_members(organisation=organisation)
    return render(
        request,
        "members/organisation_members.html",
        {
            "organisation": organisation,
            "rows": [
                (m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in memberships
            ],
            "invitations": selectors.organisation_pending_invitations(organisation=organisation),
            "form": form,
        },
    )


def _membership_of(organisation: Organisation, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        organisation=organisation,
        pk=pk,
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _admin_organisation(request, slug)
    membership = _membership_of(organisation, pk)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        try:
            services.membership_change_role(
                membership=membership, actor=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request, _("Role updated for %(name)s.") % {"name": membership.user.display_name}
            )
    return redirect("members:organisation_members", slug=organisation.slug)


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _admin_organisation(request, slug)
    membership = _membership_of(organisation, pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, _("%(name)s is no longer a member.") % {"name": membership.user.display_name}
        )
    return redirect("members:organisation_members", slug=organisation.slug)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _admin_organisation(request, slug)
    invitation = get_object_or_404(Invitation, organisation=organisation, pk=pk)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("members:organisation_members", slug=organisation.slug)


@login_required
def organisation_leave(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    membership = selectors.organisation_membership(organisation=organisation, user=request.user)
    if membership is None:
        raise Http404
    if request.method == "POST":
        try:
            services.membership_leave(membership=membership)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("You left %(name)s.") % {"name": organisation.name})
            return redirect("members:my_space")
    return render(
        request,
        "members/organisation_leave.html",
        {
            "organisation": organisation,
            "membership": membership,
        },
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_from_token(token=token)
    if invitation is None or not services.invitation_is_open(invitation=invitation):
        status = invitation.status if invitation else None
        return render(
            request,
            "members/invitation_closed.html",
            {
                "accepted": status == InvitationStatus.ACCEPTED,
            },
            status=410 if invitation else 404,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request, _("Welcome to %(name)s!") % {"name": membership.organisation.name}
            )
            return redirect(membership.organisation)
    return render(request, "members/invitation.html", {"invitation": invitation})
