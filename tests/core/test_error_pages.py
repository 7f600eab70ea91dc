"""The error pages as people meet them: with the headers the error carries (a 405's Allow)."""
import pytest


@pytest.mark.parametrize("url, method, allowed", [("/logout", "GET", {"POST"}),
                                                  ("/sessions/", "POST", {"GET", "HEAD"}),
                                                  ("/login", "DELETE", {"GET", "HEAD", "POST"})])
def test_a_method_not_allowed_says_which_are(client, reference, url, method, allowed):
    """RFC 9110 §15.5.6: a 405 carries the Allow header."""
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert response.mimetype == "text/html"
    assert "This action is not possible here" in response.get_data(as_text=True)
