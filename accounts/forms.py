from django import forms
from django.contrib.auth.forms import AuthenticationForm, ReadOnlyPasswordHashField, UsernameField
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import Post, User
from povalleviation.errors import ApplicationError


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用。",
    }


def _password_field(label, autocomplete="new-password"):
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


class PasswordChangeForm(forms.Form):
    """The user's own password: the current one, then the new one twice. The policy is checked by the service
    (``user_password_change``), whose refusals the view puts back on ``new_password1``."""

    old_password = _password_field("当前密码", "current-password")
    new_password1 = _password_field("新密码")
    new_password2 = _password_field("再次输入新密码")

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = (
            "至少 8 个字符，含大写字母、小写字母、数字、符号中的至少 3 类；不能包含用户名；不能与最近 5 次的密码相同。"
        )

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not self.user.check_password(old_password):
            raise ValidationError("当前密码不正确。", code="password_incorrect")
        return old_password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return cleaned


class AdminUserAddForm(forms.ModelForm):
    """The admin's "add user" form; the account is created by ``user_create`` in the admin's own area."""

    password1 = _password_field("密码")
    password2 = _password_field("再次输入密码")

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "unit"]
        field_classes = {"username": UsernameField}

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        elif first:
            try:
                validate_password(first, User(username=cleaned.get("username", "")))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AdminUserChangeForm(forms.ModelForm):
    """What an administrator may change on an account: name, contact and whether it is active. The password
    is reset (temporary password) from its own page; staff/superuser flags and permissions are not here."""

    password = ReadOnlyPasswordHashField(
        label="密码", help_text="系统不保存明文密码。需要时可<a href=\"../password/\">重置为临时密码</a>，用户首次登录时须修改。"
    )

    class Meta:
        model = User
        fields = ["username", "password", "full_name", "phone", "unit", "is_active"]
        field_classes = {"username": UsernameField}


class AdminPostForm(forms.ModelForm):
    """The admin's "add post" form: refuses self-grants, users outside the admin's area and a second
    administrative role before anything is saved (``post_assign_check``)."""

    class Meta:
        model = Post
        fields = ["user", "area", "role", "start_date"]

    request_user = None

    def clean(self):
        cleaned = super().clean()
        user, area, role = cleaned.get("user"), cleaned.get("area"), cleaned.get("role")
        if self.instance.pk is None and user and area and role:
            from accounts.services import post_assign_check

            try:
                post_assign_check(actor=self.request_user, user=user, area=area, role=role)
            except ApplicationError as error:
                raise ValidationError(error.message) from error
        return cleaned


class GrantDecisionForm(forms.Form):
    note = forms.CharField(label="审批意见", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "驳回时必填"}))
