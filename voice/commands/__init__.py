"""Voice and typed commands: text in, a structured, validated CRM action out.

Plain Python with no Django models and no HTTP, so it can be tested and reasoned about alone:

- parser.command_parse: transcript -> CommandAction (intent, entities, confidence, reply);
- schema: the intents, CommandAction and action_validate for actions a client posts back;
- resolve: lead and user references matched against the tenant's own records, never guessed;
- grammar.commands_jsgf: a JSGF grammar of the same language for a constrained recogniser.

The Django side looks up the tenant's leads and users, executes a confirmed action through the
leads services, and speaks the reply.
"""
