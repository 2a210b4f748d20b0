"""Views for tests/test_idempotency.py: a form, and views that count what they did."""

import threading

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import include, path

from kepuri.idempotency import once_per_form_token

DONE: list[str] = []  # what the views did, in order
ENTERED = threading.Event()  # the slow view has started
RELEASE = threading.Event()  # the slow view may finish

FORM = engines["django"].from_string(
    '{% load form_tokens %}<form method="post">{% csrf_token %}{% form_token %}</form>'
)


def form(request):
    return HttpResponse(FORM.render({}, request))


@once_per_form_token
def save(request):
    if request.POST.get("name", "") == "":
        return HttpResponse("请填写名称", status=200)  # a form shown again with its error: a refusal
    DONE.append(request.POST["name"])
    messages.success(request, f"已保存{request.POST['name']}")
    return redirect(f"/saved/{len(DONE)}/")


@once_per_form_token
def tap(request):
    DONE.append("tap")
    return JsonResponse({"ok": True, "taps": len(DONE)})


@once_per_form_token
def slow(request):
    ENTERED.set()
    assert RELEASE.wait(10)
    DONE.append("slow")
    return redirect(f"/saved/{len(DONE)}/")


@once_per_form_token
def fails(request):
    DONE.append("fails")
    if len(DONE) == 1:
        raise RuntimeError("the first try fails")
    return redirect("/saved/")


urlpatterns = [
    path("form/", form),
    path("save/", save),
    path("tap/", tap),
    path("slow/", slow),
    path("fails/", fails),
    path("", include("kepuri.urls")),  # the site's own, which its error pages link to
]
