"""Answer the SOAP ``login()`` call that simple-salesforce's security-token flow sends.

On success the response carries ``sessionId`` and ``serverUrl`` (the client derives
the instance from the host of ``serverUrl``); on failure a SOAP fault with
``sf:exceptionCode`` INVALID_LOGIN (docs/salesforce.md §1.4).
"""

from __future__ import annotations

import re
from html import unescape
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from plansync.emulators.salesforce.http import Request, Response

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_FIELD = r"<(?:\w+:)?{name}>(.*?)</(?:\w+:)?{name}>"
_XML = "text/xml; charset=utf-8"


def soap_login(app: App, req: Request) -> Response:
    """Check the username and password(+token) of a SOAP login envelope."""
    text = req.body.decode(errors="replace")
    username = _element(text, "username")
    password = _element(text, "password")
    creds = app.credentials
    accepted = {creds.password, creds.password + creds.security_token}
    if username != creds.username or password not in accepted:
        return Response(500, _fault().encode(), {"Content-Type": _XML})
    version = req.path.rstrip("/").rsplit("/", 1)[-1]
    session = app.sessions.issue()
    server_url = f"{app.base_url}/services/Soap/u/{version}/{app.credentials.org_id}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com">'
        "<soapenv:Body><loginResponse><result>"
        f"<metadataServerUrl>{escape(app.base_url)}/services/Soap/m/{version}/"
        f"{creds.org_id}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{escape(server_url)}</serverUrl>"
        f"<sessionId>{escape(session)}</sessionId>"
        f"<userId>{app.store.user_id}</userId>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(200, body.encode(), {"Content-Type": _XML})


def _element(text: str, name: str) -> str | None:
    match = re.search(_FIELD.format(name=name), text, re.DOTALL)
    return unescape(match.group(1)) if match else None


def _fault() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode>"
        "<faultstring>INVALID_LOGIN: Invalid username, password, security token; "
        "or user "
        'locked out.</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault">'
        "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>"
        "<sf:exceptionMessage>Invalid username, password, security token; "
        "or user locked "
        "out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>"
        "</soapenv:Body></soapenv:Envelope>"
    )
