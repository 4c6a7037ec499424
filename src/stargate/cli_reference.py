"""Generate the CLI reference (``docs/cli.md``) from the command tree itself.

``python -m stargate.cli_reference > docs/cli.md`` rewrites it; a test fails when it drifts.
"""

from __future__ import annotations

import inspect

import click

from stargate.cli import app


def _param_line(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        name = f"`{param.human_readable_name}`"
        required = "required" if param.required else "optional"
        suffix = ", one or more" if param.nargs == -1 else ""
        text = getattr(param, "help", None) or ""
        return f"- {name} ({required}{suffix}) {text}".rstrip()
    assert isinstance(param, click.Option)
    names = " / ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    if not param.is_flag:
        metavar = param.metavar or param.type.name.upper()
        names += f" {metavar}"
    details = []
    if isinstance(param.type, click.Choice):
        details.append("one of " + ", ".join(f"`{c}`" for c in param.type.choices))
    if param.multiple:
        details.append("repeatable")
    default = param.to_info_dict()["default"]
    if default not in (None, False, ()) and not param.is_flag:
        details.append(f"default `{default}`")
    help_text = param.help or ""
    extra = f" ({'; '.join(details)})" if details else ""
    return f"- {names}: {help_text}{extra}"


def render() -> str:
    root = app
    context = click.Context(root, info_name="stargate")
    lines = [
        "# CLI reference",
        "",
        "Generated from the command itself by `python -m stargate.cli_reference`; "
        "a test fails when this page and the CLI disagree.",
        "",
        f"`stargate [OPTIONS] COMMAND [ARGS]...` — {root.help or ''}".rstrip(),
        "",
        "Global options (before the command):",
        "",
    ]
    lines += [_param_line(p) for p in root.params if p.name != "help"]
    for name in root.list_commands(context):
        command = root.get_command(context, name)
        assert command is not None
        sub = click.Context(command, info_name=name, parent=context)
        usage = " ".join(command.collect_usage_pieces(sub))
        lines += ["", f"## `stargate {name}`", "", inspect.cleandoc(command.help or ""), ""]
        lines += ["```", f"stargate {name} {usage}".rstrip(), "```", ""]
        params = [p for p in command.params if p.name != "help"]
        lines += [_param_line(p) for p in params] or ["(no options)"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
