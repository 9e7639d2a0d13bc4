from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("This field is required.")),
            Length(max=254, message=_l("At most %(max)d characters.", max=254)),
            Regexp(r"^[^\x00]*$", message=_l("Not an email.")),
        ],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("This field is required."))]
    )
    remember_me = BooleanField(_l("Keep me logged in"))
    submit = SubmitField(_l("Log in"))
