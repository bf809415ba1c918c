from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import normalise_email, normalise_phone, validate_clean_text


class Customer(BaseModel):
    """A person or an organisation that bought a product."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200, validators=[validate_clean_text])
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_clean_text]
    )
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, validators=[validate_clean_text]
    )
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(
        _("address"), max_length=300, blank=True, validators=[validate_clean_text]
    )
    region = models.CharField(
        _("region"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class NoticeChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        BOTH = "both", _("Email and text message")

    # How we tell the customer about their requests (notices app); without an address for
    # the chosen channel the other one is used.
    notice_channel = models.CharField(
        _("messages by"), max_length=10, choices=NoticeChannel, default=NoticeChannel.EMAIL
    )
    # False: only what the service needs (receipt, appointments, approvals, resolution);
    # no surveys, assignment news or closing notes.
    notices_optional = models.BooleanField(
        _("optional messages"),
        default=True,
        help_text=_("Surveys, who handles the request, and the closing note."),
    )
    # Normalised copies for look-ups by phone or email (full-width digits, case).
    phone_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.phone_key = normalise_phone(self.phone)
        self.email_key = normalise_email(self.email)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_key", "email_key"}
        super().save(*args, **kwargs)


class Contact(BaseModel):
    """A further person to talk to at a customer (an organisation has several)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200, validators=[validate_clean_text])
    role = models.CharField(_("role"), max_length=100, blank=True, validators=[validate_clean_text])
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, validators=[validate_clean_text]
    )
    email = models.EmailField(_("email"), blank=True)
    phone_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.phone_key = normalise_phone(self.phone)
        self.email_key = normalise_email(self.email)
        super().save(*args, **kwargs)
