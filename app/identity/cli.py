"""`flask staff create`: staff accounts from the command line (the first admin, for one)."""
import click
from flask.cli import AppGroup

from app.errors import AppError
from app.extensions import db
from app.common.roles import STAFF_ROLES
from app.identity.in_person import enrol_in_person
from app.identity.staff import create_staff

staff_cli = AppGroup("staff", help="Staff accounts (officers, approvers, assistants, leaders, admins)")


@staff_cli.command("create")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--login", required=True, help="Login name, e.g. officer.hungdien")
@click.option("--full-name", required=True)
@click.option("--agency-code", default=None, help="e.g. UBND-27727 or CA-80 (officers and approvers)")
@click.option("--commune", "commune_code", default=None, help="5-digit commune code of the scope")
@click.option("--phone", default=None)
@click.option("--password", default=None, help="Leave out to have one generated and printed once")
def create_command(role, login, full_name, agency_code, commune_code, phone, password):
    """Create a staff account and print its TOTP provisioning URI (shown once)."""
    try:
        created = create_staff(role=role, login=login, full_name=full_name, password=password, phone=phone,
                               agency_code=agency_code, commune_code=commune_code)
        db.session.commit()
    except AppError as error:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.errors.items())
        raise click.ClickException(f"{error.message}{' (' + details + ')' if details else ''}") from error
    account = created.account
    click.echo(f"created {role} {account.login} (id {account.id})")
    if created.password:
        click.echo(f"password (shown once): {created.password}")
    click.echo(f"TOTP secret (shown once): {created.totp_secret}")
    click.echo(f"TOTP provisioning URI: {created.provisioning_uri}")


eid_cli = AppGroup("eid", help="E-ID level 2 (synthetic registry)")


@eid_cli.command("enrol")
@click.argument("personal_id")
@click.option("--place", required=True, help="Where the biometric enrolment happened, e.g. 'Công an xã Hưng Điền'")
def enrol_command(personal_id, place):
    """Enrol a citizen in person in the synthetic registry and print the activation code (shown once)."""
    try:
        issued = enrol_in_person(personal_id, place)
    except AppError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"enrolled {personal_id[:3]}******{personal_id[-3:]} at {place} on {issued.enrolment.enrolled_on}")
    click.echo(f"activation code (shown once, valid until {issued.record.expires_at:%Y-%m-%d %H:%M} UTC): {issued.code}")
