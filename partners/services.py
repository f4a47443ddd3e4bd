"""Writes on referrals and matchings. Every change of a referral's state goes through
``_transition``, which checks it is allowed and writes it to the log."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from participants import services as participant_services
from participants.models import Certification, Need, Participant, Training
from participants.services import pathway_close
from partners import selectors
from partners.models import (
    EmployerContact,
    Matching,
    PartnerService,
    Referral,
    ReferralDigest,
    ReferralTransition,
)

Status = Referral.Status

# Which state may follow which (DESIGN §3): sent → accepted/refused/expired; accepted →
# completed/no-show. Refused, completed, no-show and expired are final.
ALLOWED = {
    Status.SENT: {Status.ACCEPTED, Status.REFUSED, Status.EXPIRED},
    Status.ACCEPTED: {Status.COMPLETED, Status.NO_SHOW},
}

LINK_SALT = "partners.referral-answer"


def _transition(
    referral: Referral,
    to_status: str,
    *,
    by: User | None,
    channel: str = ReferralTransition.Channel.APP,
    reason: str = "",
) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if to_status not in ALLOWED.get(referral.status, set()):
        raise ValidationError(
            _("Cette orientation est déjà « %(status)s » : elle ne peut plus devenir « %(new)s ».")
            % {"status": referral.get_status_display(), "new": Status(to_status).label}
        )
    if to_status == Status.REFUSED and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    ReferralTransition.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        by=by,
        channel=channel,
        reason=reason.strip(),
    )
    referral.status = to_status
    referral.status_changed_at = timezone.now()
    if to_status == Status.REFUSED:
        referral.refusal_reason = reason.strip()
    referral.link_nonce = ""  # an answered referral has no working link any more
    referral.save(update_fields=["status", "status_changed_at", "refusal_reason", "link_nonce"])
    return referral


@transaction.atomic
def referral_send(
    *,
    participant: Participant,
    to_organization: Organization,
    reason: str,
    by: User,
    service: PartnerService | None = None,
    need: Need | None = None,
) -> Referral:
    """Refer someone with an open pathway to a partner; the first entry of the log."""
    pathway = participant.pathways.open().order_by("-started_on").first()
    if pathway is None:
        raise ValidationError(_("Pas de parcours ouvert : ouvrez-en un avant d'orienter."))
    if to_organization.pk == participant.organization_id:
        raise ValidationError(_("On oriente vers un partenaire, pas vers sa propre organisation."))
    if service is not None and service.organization_id != to_organization.pk:
        raise ValidationError(_("Ce service n'appartient pas à ce partenaire."))
    if need is not None and need.participant_id != participant.pk:
        raise ValidationError(_("Ce besoin n'est pas celui de cette personne."))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de l'orientation.")})
    # The same referral twice (a double click, a form re-posted, two tabs) would reach the
    # partner twice: an identical one still open is refused. The participant's row, locked,
    # serialises two requests arriving together.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if Referral.objects.filter(
        participant=participant,
        to_organization=to_organization,
        service=service,
        need=need,
        reason=reason.strip(),
        status__in=Referral.OPEN,
    ).exists():
        raise ValidationError(
            _(
                "La même orientation est déjà en cours (même partenaire, même motif) : "
                "elle n'est pas envoyée une deuxième fois."
            )
        )
    referral = Referral.objects.create(
        participant=participant,
        pathway=pathway,
        from_organization_id=participant.organization_id,
        to_organization=to_organization,
        service=service,
        need=need,
        reason=reason.strip(),
        sent_on=timezone.localdate(),
        sent_by=by,
    )
    ReferralTransition.objects.create(referral=referral, to_status=Status.SENT, by=by)
    return referral


@transaction.atomic
def referral_answer(
    *,
    referral: Referral,
    accept: bool,
    by: User | None,
    reason: str = "",
    channel: str = ReferralTransition.Channel.APP,
) -> Referral:
    """The partner accepts, or refuses with a reason."""
    return _transition(
        referral,
        Status.ACCEPTED if accept else Status.REFUSED,
        by=by,
        channel=channel,
        reason=reason,
    )


@transaction.atomic
def referral_close(*, referral: Referral, came: bool, by: User, reason: str = "") -> Referral:
    """After an acceptance: the person came (completed) or did not (no-show)."""
    return _transition(referral, Status.COMPLETED if came else Status.NO_SHOW, by=by, reason=reason)


def referral_expire_overdue(*, today: dt.date | None = None) -> int:
    """Referrals sent and not answered within ``REFERRAL_EXPIRY_DAYS``: expired, logged."""
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=settings.REFERRAL_EXPIRY_DAYS)
    count = 0
    for pk in Referral.objects.filter(status=Status.SENT, sent_on__lt=limit).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=pk)
            if referral.status != Status.SENT:
                continue  # answered meanwhile
            _transition(
                referral,
                Status.EXPIRED,
                by=None,
                channel=ReferralTransition.Channel.SYSTEM,
                reason=_("Sans réponse après %(days)s jours.")
                % {"days": settings.REFERRAL_EXPIRY_DAYS},
            )
            count += 1
    return count


# --- The signed response link, for partners without members -------------------------------


@transaction.atomic
def referral_link_token(*, referral: Referral) -> str:
    """A new signed token for the answer link; any earlier link stops working."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Status.SENT:
        raise ValidationError(_("Cette orientation a déjà reçu une réponse."))
    nonce = referral.new_link_nonce()
    referral.link_sent_at = timezone.now()
    referral.save(update_fields=["link_nonce", "link_sent_at"])
    return signing.dumps({"r": referral.pk, "n": nonce}, salt=LINK_SALT, compress=True)


# A link asked for again within this delay is the same click twice: not sent again.
RESEND_AFTER = dt.timedelta(minutes=1)


@transaction.atomic
def referral_link_resend(*, referral: Referral) -> bool:
    """Queue a new answer link (the previous one stops working once it is sent). False when one
    was asked for less than ``RESEND_AFTER`` ago: a double click sends one e-mail, not two (the
    first link would be void on arrival). The row, locked, serialises the clicks."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Status.SENT:
        raise ValidationError(_("Cette orientation a déjà reçu une réponse : pas de lien."))
    now = timezone.now()
    if referral.link_sent_at and now - referral.link_sent_at < RESEND_AFTER:
        return False
    referral.link_sent_at = now  # asked for now; stamped again when the task sends it
    referral.save(update_fields=["link_sent_at"])
    referral_link_send_later(referral=referral)
    return True


def referral_link_send_later(*, referral: Referral) -> None:
    """Queue the link e-mail once the current transaction is committed (a re-send too). With the
    broker unreachable, the referral is left without ``link_sent_at``: the periodic check
    (``emails.referral_links_send_due``) sends it once the broker is back."""
    from accounts.queueing import MAIL_LATER, enqueue_on_commit
    from partners.tasks import referral_send_link  # the tasks call this module

    def owed() -> None:
        # A re-send stamped the time it was asked for (``referral_link_resend``).
        Referral.objects.filter(pk=referral.pk).update(link_sent_at=None)

    enqueue_on_commit(
        referral_send_link,
        referral.pk,
        on_broker_down=owed,
        notice=MAIL_LATER,
    )


def referral_link_send_if_no_members(*, referral: Referral) -> bool:
    """A partner without members answers through a link e-mailed to the service's address, else
    the organization's (``selectors.referral_link_address``, as the "send again" button does;
    the same test of "members" as the partner's side: ``selectors.partner_has_members``).

    False when the partner can be reached neither way: the counsellor must call it."""
    if selectors.partner_has_members(referral.to_organization):
        return True
    if not selectors.referral_link_address(referral):
        return False
    referral_link_send_later(referral=referral)
    return True


def referral_link_days(*, referral: Referral, today: dt.date | None = None) -> int:
    """How many days, today included, a link sent today can be used: its own validity, or
    less when the referral expires sooner (a link re-sent on the 20th day of 21 must not
    promise 14)."""
    today = today or timezone.localdate()
    last_day = referral.sent_on + dt.timedelta(days=settings.REFERRAL_EXPIRY_DAYS)
    return max(1, min(settings.REFERRAL_LINK_DAYS, (last_day - today).days + 1))


class LinkProblem(Exception):
    """Why a link cannot be used, in words for the person who clicked it."""


def referral_from_token(*, token: str) -> Referral:
    """The referral a link answers, or ``LinkProblem``. The referral's state is told before the
    link's age: a used link past its validity says it was answered, not "ask for a new one"."""
    invalid = _("Ce lien n'est pas valide (il a peut-être été mal copié).")
    try:
        data = signing.loads(token, salt=LINK_SALT)  # the signature, whatever the link's age
    except signing.BadSignature:
        raise LinkProblem(invalid) from None
    referral = Referral.objects.filter(pk=data.get("r")).first() if isinstance(data, dict) else None
    if referral is None:
        raise LinkProblem(invalid)
    if referral.status == Status.EXPIRED:
        raise LinkProblem(
            _(
                "Cette orientation a expiré sans réponse. Si vous pouvez encore accueillir "
                "cette personne, contactez la personne qui vous l'a adressée."
            )
        )
    if referral.status != Status.SENT:
        raise LinkProblem(
            _("Une réponse a déjà été donnée à cette orientation (« %(status)s »). Merci !")
            % {"status": referral.get_status_display()}
        )
    try:
        signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(days=settings.REFERRAL_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkProblem(
            _(
                "Ce lien a expiré. Demandez à la personne qui vous a adressé cette orientation "
                "de le renvoyer."
            )
        ) from None
    if not referral.link_nonce or data.get("n") != referral.link_nonce:
        raise LinkProblem(
            _("Ce lien a été remplacé par un lien plus récent : utilisez le dernier e-mail reçu.")
        )
    return referral


@transaction.atomic
def referral_answer_by_link(*, token: str, accept: bool, reason: str = "") -> Referral:
    referral = referral_from_token(token=token)
    # Checked again once the row is locked: a re-send (new nonce) or an answer committed while
    # this request waited must refuse the link, not be overwritten by it.
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    referral = referral_from_token(token=token)
    return referral_answer(
        referral=referral,
        accept=accept,
        by=None,
        reason=reason,
        channel=ReferralTransition.Channel.LINK,
    )


# --- The daily digest ---------------------------------------------------------------------


def referral_digest_record(*, user: User, day: dt.date) -> bool:
    """Record that ``user`` has the digest of ``day``; False when a run got there first. Called
    in the transaction that sends the e-mail: one that fails leaves the day unrecorded."""
    return ReferralDigest.objects.get_or_create(user=user, day=day)[1]


# --- Employers -----------------------------------------------------------------------------

# The same employer: the same name at the same address (case aside).
SAME_EMPLOYER = ("name", "street", "postcode", "city")


@transaction.atomic
def employer_add(*, employer: Organization, by_organization: Organization) -> Organization:
    """Save a new employer unless it is already in the directory: a double click, or the form
    sent again, adds it once. The adding organization's row, locked, serialises two requests;
    the second finds the first. A chain's other shop (another street) is another employer."""
    Organization.objects.select_for_update().filter(pk=by_organization.pk).first()
    same = Organization.objects.filter(
        kind=Organization.Kind.EMPLOYER,
        **{f"{field}__iexact": getattr(employer, field) for field in SAME_EMPLOYER},
    )
    if same.exists():
        raise ValidationError(
            _("« %(name)s » existe déjà à cette adresse : il n'est pas ajouté une deuxième fois.")
            % {"name": employer.name}
        )
    employer.save()
    return employer


@transaction.atomic
def prospection_record(*, contact: EmployerContact) -> bool:
    """Save a prospection; False when the very same one (same employer, day, person met,
    result and note) is already saved for the organization: a double click saves it once.
    The employer's row, locked, serialises two requests."""
    Organization.objects.select_for_update().filter(pk=contact.employer_id).first()
    if EmployerContact.objects.filter(
        organization=contact.organization,
        employer=contact.employer,
        date=contact.date,
        person_met=contact.person_met,
        outcome=contact.outcome,
        note=contact.note,
    ).exists():
        return False
    contact.save()
    return True


MATCHING_NEXT = {
    Matching.Status.PROPOSED: {
        Matching.Status.INTERVIEW,
        Matching.Status.HIRED,
        Matching.Status.REJECTED,
        Matching.Status.NO_ANSWER,
    },
    Matching.Status.INTERVIEW: {
        Matching.Status.HIRED,
        Matching.Status.REJECTED,
        Matching.Status.NO_ANSWER,
    },
}


@transaction.atomic
def matching_propose(*, matching: Matching, participant: Participant, by: User) -> Matching:
    """Propose someone for a position, within their open pathway and from its start. The same
    proposal still open (a double click, a form posted again) is refused: the participant's row,
    locked, serialises two posts arriving together."""
    pathway = participant.pathways.open().order_by("-started_on").first()
    if pathway is None:
        raise ValidationError(_("Pas de parcours ouvert : ouvrez-en un avant de proposer."))
    if matching.proposed_on < pathway.started_on:
        raise ValidationError({"proposed_on": _("La proposition ne peut précéder le parcours.")})
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if (
        Matching.objects.filter(
            participant=participant,
            employer=matching.employer,
            position__iexact=matching.position.strip(),
        )
        .exclude(status__in=Matching.CLOSED)
        .exists()
    ):
        raise ValidationError(
            _(
                "Cette personne est déjà proposée à cet employeur pour ce poste : "
                "suivez cette mise en relation plutôt que d'en créer une deuxième."
            )
        )
    matching.participant, matching.pathway, matching.by = participant, pathway, by
    matching.status_on = matching.proposed_on
    matching.save()
    return matching


@transaction.atomic
def matching_update(
    *,
    matching: Matching,
    status: str,
    on: dt.date,
    by: User,
    close_pathway: bool = False,
    exit_outcome: str = "",
) -> Matching:
    """The next step of a matching; a hire may close the pathway on the same day, with its
    outcome — one step: both saved, or neither."""
    matching = Matching.objects.select_for_update().get(pk=matching.pk)
    if status not in MATCHING_NEXT.get(matching.status, set()):
        raise ValidationError(
            _("Cette mise en relation est « %(status)s » : elle ne peut plus changer ainsi.")
            % {"status": matching.get_status_display()}
        )
    if on < matching.proposed_on or on > timezone.localdate():
        raise ValidationError(_("La date doit suivre la proposition et ne pas être future."))
    matching.status, matching.status_on, matching.by = status, on, by
    matching.save(update_fields=["status", "status_on", "by"])
    if close_pathway:
        pathway_close(
            pathway=matching.pathway,
            ended_on=on,
            exit_outcome=exit_outcome,
            job_searching_at_exit=False,
            by=by,
        )
    return matching


# --- Trainings and certifications noted by the partner that gives them (issue 20) -----------


def referral_training_refusal(*, referral: Referral) -> str:
    """Why the partner may not note a training or a certification on this referral, in words
    for it; empty when it may."""
    if not referral.is_to_a_training:
        return _(
            "Cette orientation ne porte pas sur une formation : la formation et les "
            "certifications se notent sur une orientation vers un service de formation."
        )
    if referral.status not in Referral.TRAINING_STATUSES:
        return _(
            "Cette orientation est « %(status)s » : une formation ou une certification se note "
            "sur une orientation que vous avez acceptée."
        ) % {"status": referral.get_status_display()}
    return ""


def _referral_for_trainings(referral: Referral) -> None:
    """The referral's state read again, locked (an answer changing it meanwhile waits), then
    whether the partner may note on it."""
    referral.status = (
        Referral.objects.select_for_update().values_list("status", flat=True).get(pk=referral.pk)
    )
    refusal = referral_training_refusal(referral=referral)
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def referral_training_add(*, referral: Referral, by: User, **fields) -> Training:
    """A training the partner gives the person it accepted: given by it, noted by it."""
    _referral_for_trainings(referral)
    partner = referral.to_organization
    return participant_services.training_add(
        participant=referral.participant,
        provider=partner.name,
        provider_organization=partner,
        recorded_by=by,
        recorded_by_organization=partner,
        **fields,
    )


@transaction.atomic
def referral_certification_add(
    *, referral: Referral, by: User, training: Training | None = None, **fields
) -> Certification:
    """A certification the partner issued to the person it accepted, after a training it noted
    or not; issued by the partner unless it names another body."""
    _referral_for_trainings(referral)
    partner = referral.to_organization
    if training is not None and training.recorded_by_organization_id != partner.pk:
        raise ValidationError({"training": _("Cette formation n'a pas été notée par vous.")})
    fields["issuing_body"] = fields.get("issuing_body", "").strip() or partner.name
    return participant_services.certification_add(
        participant=referral.participant,
        training=training,
        recorded_by=by,
        recorded_by_organization=partner,
        **fields,
    )
