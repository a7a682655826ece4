"""OSCAL output: the documents of an Assessment, their validation against NIST schemas, and a reader.

Documents: assessment results, component definition, catalogs, the OWASP -> NIST CSF 2.0 mapping
collection and the POA&M.

Every builder returns a plain JSON-compatible dict whose keys follow NIST's order; ``common.dumps``
turns it into bytes. Documents are deterministic: uuid5 from stable keys, the assessment's
``created_at`` as the only timestamp. See README section ``oscal`` for the conventions.
"""

from __future__ import annotations

from nhi_evidence.oscal.common import DEFAULT_OSCAL_VERSION, NS, OSCAL_VERSIONS, OscalError

__all__ = ["DEFAULT_OSCAL_VERSION", "NS", "OSCAL_VERSIONS", "OscalError"]
