from tests.conftest import events


def test_visitor_message_reaches_agent_and_seen_receipt_reaches_visitor(
    new_visitor, connect, agent_token
):
    conversation_id, token = new_visitor(name="Ana")
    visitor = connect(visitor_token=token)
    agent = connect(token=agent_token)
    visitor.get_received()
    agent.get_received()

    ack = visitor.emit("send_message", {"client_id": "c1", "body": " Hello "}, callback=True)

    assert ack["ok"] and ack["message"]["body"] == "Hello" and ack["message"]["seq"] == 1
    received = agent.get_received()
    assert [e["args"] for e in received if e["name"] == "message"] == [ack["message"]]
    receipt = {"conversation_id": conversation_id, "status": "seen", "up_to_seq": 1}
    assert agent.emit("receipt", receipt, callback=True) == {"ok": True}
    [seen] = events(visitor, "receipt")
    assert seen["status"] == "seen" and seen["up_to_seq"] == 1 and seen["by"] == "agent"
