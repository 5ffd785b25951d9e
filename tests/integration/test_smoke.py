def test_health_answers_ok(stack):
    response = stack.call("GET", "/v1/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_signed_in_citizen_creates_report(stack):
    body = {"category": "garbage", "description": "Sampah menumpuk di pasar", "location": {"lat": -10.17, "lon": 123.6}}
    r = stack.call("POST", "/v1/tenants/kupang/reports", body, user="warga.ani")
    assert r.status_code == 201, r.body
    print(r.json_body)
