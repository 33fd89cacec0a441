"""Configuration screens for program administrators: their organisation, programs and staff.

A program administrator sees and changes only their own organisation; the superuser sees all.
Client records are deliberately not registered here: administrators configure, they do not
read clinical content. Every change is on the audit trail (casebridge.audit.adminlog). Nobody
sets another person's password: a link is emailed and the person sets it. A role that reaches
clients, programs added to one, or a new email on such an account wait for a second person
(casebridge.accounts.services.access_held_for_confirmation).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from casebridge.accounts.http import acting_user, organisation_of
from casebridge.accounts.models import (
    Organisation,
    Program,
    ProgramModelRule,
    Role,
    User,
)
from casebridge.accounts.services import (
    StaffAccess,
    access_held_for_confirmation,
    password_link_send,
    staff_change_pending,
    staff_change_request,
)
from casebridge.audit.adminlog import AuditedAdminMixin


class OwnOrganisationMixin:
    organisation_field = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_field: organisation_of(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=organisation_of(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "programs" and not request.user.is_superuser:
            kwargs["queryset"] = Program.objects.filter(organisation_id=organisation_of(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        if not request.user.is_superuser and self.organisation_field == "organisation":
            excluded.append("organisation")
        return excluded

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not request.user.is_superuser and self.organisation_field == "organisation":
            obj.organisation_id = organisation_of(request)
        super().save_model(request, obj, form, change)  # type: ignore[misc]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, OwnOrganisationMixin, admin.ModelAdmin):
    organisation_field = "pk"
    list_display = ["name", "case_number_prefix", "require_two_factor"]


class ProgramModelRuleInline(admin.TabularInline):
    model = ProgramModelRule
    extra = 0


@admin.register(Program)
class ProgramAdmin(AuditedAdminMixin, OwnOrganisationMixin, admin.ModelAdmin):
    list_display = ["name", "default_model", "is_active"]
    list_filter = ["is_active"]
    inlines = [ProgramModelRuleInline]


class StaffCreationForm(forms.ModelForm):
    """A new account has no password: the person sets one from the link they are emailed."""

    email = forms.EmailField(
        help_text="The link to set a password goes here; only the person should read it."
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "programs"]

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


ACCESS_FIELDS = ("role", "email", "programs")


def _access(user: User) -> StaffAccess:
    return StaffAccess(
        role=user.role,
        email=user.email,
        program_ids=frozenset(user.programs.values_list("pk", flat=True)),
    )


@admin.register(User)
class StaffAdmin(AuditedAdminMixin, OwnOrganisationMixin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", ("programs", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["programs", "groups", "user_permissions"]
    add_form = StaffCreationForm
    actions = ["send_password_link"]
    staff_fieldsets = (
        (None, {"fields": ("username",)}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("role", "programs", "is_active")}),
    )
    staff_add_fieldsets = (
        (None, {"fields": ("username",)}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("role", "programs")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            # Nobody sets a password here, the operator included: the person does, from a link.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in super().get_fieldsets(request, obj)
                if obj is not None
            ] or [(None, {"fields": ["username", "first_name", "last_name", "email"]})]
            extra = ("Casebridge", {"fields": ("organisation", "role", "programs")})
            return (*fieldsets, extra)
        return self.staff_fieldsets if obj is not None else self.staff_add_fieldsets

    def get_form(  # type: ignore[override]
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, **kwargs)
        admin_self = self

        class StaffForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                admin_self.check_access_change(request, self.instance, self)
                return cleaned

        return StaffForm

    def check_access_change(self, request: HttpRequest, user: User, form: Any) -> None:
        """Refuse in the form what can never be asked: one's own role, or a second change to
        someone's access while the first waits."""
        changed = set(form.changed_data) & set(ACCESS_FIELDS)
        if user.pk is None or not changed:
            return
        if user.pk == request.user.pk and "role" in changed:
            form.add_error("role", "You cannot change your own role. Ask another administrator.")
        elif staff_change_pending(user) is not None:
            form.add_error(
                None,
                "A change to this person's role, programs or email is waiting for a second "
                "person's confirmation (Access changes). Confirm or refuse it first.",
            )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _access(User.objects.get(pk=obj.pk)) if change else None
        request._staff_before = before  # type: ignore[attr-defined]
        request._staff_wanted = (obj.role, obj.email)  # type: ignore[attr-defined]
        # Hold back what needs a second person; what is left applies now.
        wanted = StaffAccess(role=obj.role, email=obj.email, program_ids=frozenset())
        held = access_held_for_confirmation(before=before, after=wanted)
        if "role" in held:
            obj.role = before.role if before is not None else Role.NONE
        if "email" in held and before is not None:
            obj.email = before.email
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user: User = form.instance
        before: StaffAccess | None = request._staff_before  # type: ignore[attr-defined]
        role, email = request._staff_wanted  # type: ignore[attr-defined]
        programs = frozenset(user.programs.values_list("pk", flat=True))
        held = access_held_for_confirmation(
            before=before, after=StaffAccess(role=role, email=email, program_ids=programs)
        )
        if "programs_added" in held:
            user.programs.remove(*held["programs_added"])
        if held:
            try:
                staff_change_request(user=user, changes=held, by=acting_user(request))
            except ValidationError as error:
                # The form refused this already; a race between two administrators ends here.
                raise PermissionDenied(" ".join(error.messages)) from error
            messages.warning(
                request,
                f"{user.display_name}: the change to role, programs or email waits for a second "
                "person (another administrator, or a supervisor of the program) to confirm it "
                "under Access changes.",
            )
        request._staff_held = held  # type: ignore[attr-defined]

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        logged = super().log_addition(request, obj, message)
        if password_link_send(
            user=obj, by=acting_user(request), site=request.build_absolute_uri("/")
        ):
            messages.info(request, f"A link to set a password was emailed to {obj.email}.")
        return logged

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        raise PermissionDenied(
            "Nobody sets another person's password. Send them a link to set their own."
        )

    @admin.action(description="Email a link to set their password")
    def send_password_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = [
            user.display_name
            for user in queryset
            if password_link_send(
                user=user, by=acting_user(request), site=request.build_absolute_uri("/")
            )
        ]
        if sent:
            messages.success(request, "Link emailed to: " + ", ".join(sent) + ".")
        if len(sent) < queryset.count():
            messages.warning(request, "Accounts without an email address or switched off got none.")
