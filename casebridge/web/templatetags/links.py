"""`{% link 'name' id ... %}`: `{% url 'name' id ... %}` for a URL whose arguments are ids, the
URL reversed once per name rather than on every use (casebridge.drawing.id_url). For the links
a long list repeats on every line."""

from django import template

from casebridge.drawing import id_url

register = template.Library()


@register.simple_tag
def link(name: str, *ids: int) -> str:
    return id_url(name, *ids)
