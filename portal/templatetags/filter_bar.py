"""The filter bar above a list page: ``{% filter_bar %}…{% endfilter_bar %}`` renders
templates/includes/filter_bar.html (a GET form of class ``filters`` with its 筛选 button) around the fields
written between the tags. ``{% filter_select %}``, ``{% filter_input %}`` and ``{% filter_check %}`` write the
usual fields, showing what the page was asked for in ``params`` (the query parameters the view puts in the
context); anything else can be written in HTML between the tags."""

from django import template
from django.template.base import token_kwargs
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


class FilterBarNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def render(self, context):
        options = {"label": "筛选", "button": "筛选", "button_class": "primary"}
        options.update({key: value.resolve(context) for key, value in self.options.items()})
        fields = mark_safe(self.nodelist.render(context).strip("\n"))
        include = context.template.engine.get_template("includes/filter_bar.html")
        with context.push(fields=fields, **options):
            return include.render(context)


@register.tag
def filter_bar(parser, token):
    """``{% filter_bar [label="…"] [button="…"] [button_class="…"] %}`` fields ``{% endfilter_bar %}``; an empty
    label leaves out the form's aria-label, an empty button_class the button's class."""
    bits = token.split_contents()[1:]
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError("filter_bar takes only label, button and button_class")
    nodelist = parser.parse(("endfilter_bar",))
    parser.delete_first_token()
    return FilterBarNode(nodelist, options)


def _asked(context, name, value):
    if value is not None:
        return str(value)
    params = context.get("params") or {}
    asked = params.get(name, "")
    return "" if asked is None else str(asked)


@register.simple_tag(takes_context=True)
def filter_select(context, name, label, choices, value=None, all_label="全部"):
    """``<label>label <select name>`` with 全部 first, then ``choices`` (value, text) pairs; the one asked for is
    selected."""
    asked = _asked(context, name, value)
    options = format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((code, mark_safe(" selected") if str(code) == asked else "", text) for code, text in choices),
    )
    return format_html('<label>{} <select name="{}"><option value="">{}</option>{}</select></label>',
                       label, name, all_label, options)


@register.simple_tag(takes_context=True)
def filter_input(context, name, label, type="text", value=None, **attributes):
    """``<label>label <input type name value …attributes>``, the value being what was asked for."""
    extra = format_html_join("", ' {}="{}"', ((key, attribute) for key, attribute in attributes.items()))
    return format_html('<label>{} <input type="{}" name="{}" value="{}"{}></label>',
                       label, type, name, _asked(context, name, value), extra)


@register.simple_tag(takes_context=True)
def filter_check(context, name, label, value="1"):
    """A checkbox ``name=value``, ticked when the page was asked for it."""
    ticked = mark_safe(" checked") if _asked(context, name, None) == value else ""
    return format_html('<label class="check"><input type="checkbox" name="{}" value="{}"{}> {}</label>',
                       name, value, ticked, label)
