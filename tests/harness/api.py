"""The chat server's HTTP API, as its agent and as new visitors."""

from typing import NamedTuple

import requests

from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

HTTP_TIMEOUT = 10.0


class UnexpectedAnswer(AssertionError):
    """The API answered with another status than the one expected."""


class Visitor(NamedTuple):
    """A conversation started by a new visitor, and the visitor's token."""

    conversation_id: int
    token: str


def expect_status(response: requests.Response, status: int) -> requests.Response:
    if response.status_code != status:
        raise UnexpectedAnswer(
            f"{response.request.method} {response.url} answered {response.status_code}, "
            f"not {status}: {response.text}"
        )
    return response


class ChatApi:
    """The HTTP API of the server at ``url``; the agent's API token is fetched once."""

    def __init__(self, url: str, timeout: float = HTTP_TIMEOUT):
        self.url = url
        self.timeout = timeout
        self.http = requests.Session()
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "ChatApi":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def agent_token(self) -> str:
        """An API token of the agent, from ``POST /api/v1/tokens`` with HTTP Basic."""
        if self._token is None:
            response = self.http.post(
                f"{self.url}/api/v1/tokens",
                auth=(AGENT_EMAIL, AGENT_PASSWORD),
                timeout=self.timeout,
            )
            self._token = expect_status(response, 200).json()["token"]
        return self._token

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call ``/api/v1{path}`` as the agent (API token)."""
        headers = {"Authorization": f"Bearer {self.agent_token}", **kwargs.pop("headers", {})}
        return self.http.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=self.timeout, **kwargs
        )

    def new_conversation(self, **details) -> Visitor:
        """Start a conversation as a new visitor (``name``, ``email``)."""
        response = self.http.post(
            f"{self.url}/api/v1/conversations", json=details or None, timeout=self.timeout
        )
        body = expect_status(response, 201).json()
        return Visitor(body["conversation_id"], body["visitor_token"])

    def stored(self, conversation_id: int) -> list[dict]:
        """Every stored message of a conversation, read page by page."""
        messages: list[dict] = []
        after = 0
        while True:
            response = self.api(
                "GET",
                f"/conversations/{conversation_id}/messages",
                params={"after_seq": after, "limit": 100},
            )
            page = expect_status(response, 200).json()
            messages += page["messages"]
            if not page["has_more"] or not page["messages"]:
                return messages
            after = page["messages"][-1]["seq"]

    def bodies(self, conversation_id: int) -> list[str]:
        """The bodies of a conversation's stored messages, in order."""
        return [message["body"] for message in self.stored(conversation_id)]

    def summaries(self) -> list[dict]:
        """The first 200 conversations of the inbox."""
        response = self.api("GET", "/conversations", params={"limit": 200})
        return expect_status(response, 200).json()["conversations"]

    def conversation_ids(self) -> set[int]:
        return {summary["id"] for summary in self.summaries()}

    def summary(self, conversation_id: int) -> dict:
        for summary in self.summaries():
            if summary["id"] == conversation_id:
                return summary
        raise AssertionError(f"conversation {conversation_id} is not in the inbox")
