"""A small OpenID Connect provider on 127.0.0.1 for the 科普中国账号登录 tests.

It serves the discovery document, an authorization endpoint that consents at once
(redirecting back with a code and the state), a token endpoint that checks the
client and the code and answers with an ID token signed RS256, the userinfo
endpoint and the JWKS. Tests set ``person`` (the claims it vouches for), ask for
an expired ID token with ``expired``, a forged one with ``signing_key``, and stop it to play a provider that is down.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "kepuri-test"
CLIENT_SECRET = "kepuri-test-secret"


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # published in the JWKS
        self.signing_key = self.key  # what ID tokens are signed with (another key plays an impostor)
        self.kid = secrets.token_hex(4)
        self.person = {"sub": "kp-10001", "phone_number": "+86 138 0013 8000", "phone_number_verified": True}
        self.expired = False
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        issued = now - 7200 if self.expired else now
        claims = {
            "iss": self.issuer,
            "sub": self.person["sub"],
            "aud": CLIENT_ID,
            "iat": issued,
            "exp": issued + 600,
            "nonce": nonce,
        }
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def authorize_url_answer(self, url: str) -> str:
        """Where the provider sends the browser back for the authorization request ``url``."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    return self._json(provider.discovery())
                if path == "/jwks":
                    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json(
                        {"keys": [public | {"kid": provider.kid, "alg": "RS256", "use": "sig"}]}
                    )
                if path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider.authorize_url_answer(self.path))
                    self.end_headers()
                    return None
                if path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.person)
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._json({"error": "not_found"}, 404)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    request is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = request
                return self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 600,
                        "id_token": provider.id_token(request.get("nonce", "")),
                    }
                )

        return Handler
