from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from county_net.accounts.models import ROLES
from county_net.core.text import NAME, form_rule


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="不能超过 64 个字符")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=128, message="不能超过 128 个字符")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=128, message="不能超过 128 个字符")])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=128, message="不能超过 128 个字符")])
    confirm_password = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码")])

    def validate_confirm_password(self, field):
        from wtforms import ValidationError

        if field.data != self.new_password.data:
            raise ValidationError("两次输入的新密码不一致")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_CHOICES = [SelectChoice(key, label) for key, label in ROLES.items()]


class UserCreateForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(min=3, max=32, message="须为 3–32 个字符")])
    name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=60, message="不能超过 60 个字符"),
                                         form_rule(NAME)])
    unit_id = SelectField("所属单位", coerce=int, validators=[DataRequired("请选择单位")], validate_choice=False)
    roles = MultiCheckboxField("角色", choices=ROLE_CHOICES, validators=[DataRequired("请至少选择一个角色")])
    password = PasswordField("初始密码", validators=[DataRequired("请输入初始密码"), Length(max=128, message="不能超过 128 个字符")])


class UserEditForm(FlaskForm):
    version = HiddenField(validators=[DataRequired("页面已过期，请刷新")])
    name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=60, message="不能超过 60 个字符"),
                                         form_rule(NAME)])
    unit_id = SelectField("所属单位", coerce=int, validators=[DataRequired("请选择单位")], validate_choice=False)
    roles = MultiCheckboxField("角色", choices=ROLE_CHOICES, validators=[DataRequired("请至少选择一个角色")])


class UserActionForm(FlaskForm):
    """Disable, enable, reset: only CSRF and the version the admin saw."""

    version = IntegerField(validators=[Optional()], render_kw={"hidden": True})
    new_password = PasswordField("新密码（留空则自动生成）", validators=[Optional(), Length(max=128, message="不能超过 128 个字符")])
