"""Namespace and algorithm URIs of SOAP, ebMS3, WS-Security and XML-DSig used by AS4."""

from __future__ import annotations

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
EB = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
EBBP = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"
XML = "http://www.w3.org/XML/1998/namespace"

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SWA_CONTENT = ("http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1"
               "#Attachment-Content-Signature-Transform")
SWA_COMPLETE = ("http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1"
                "#Attachment-Complete-Signature-Transform")
BASE64_ENC = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
              "#Base64Binary")
X509_PKIPATH = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
                "#X509PKIPathv1")
X509_V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"

WSU_ID = f"{{{WSU}}}Id"


def q(ns: str, local: str) -> str:
    """Clark notation ``{ns}local``."""
    return f"{{{ns}}}{local}"
