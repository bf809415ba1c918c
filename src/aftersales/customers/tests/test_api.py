def test_a_search_with_a_nul_character_is_a_400_naming_it(agent, customer_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(agent)
    for path in ("/api/v1/customers/", f"/api/v1/customers/{customer_a.pk}/"):
        response = client.get(path, {"search": "张\x00三"})
        assert response.status_code == 400, path
        assert "search" in response.json()["fields"]
