/**
 * The bare-framework floor: restify and botbuilder's CloudAdapter, as the bot uses them, answering
 * every message with the same Adaptive Cards (FLOOR_CARDS: a JSON file holding an array of cards,
 * one activity each). No state, no rendering, no storage: the least any bot on this stack does
 * for a triage turn. Run by bench/run.ts as its own process, next to the bot.
 */
import { CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import { readFileSync } from 'node:fs';
import restify from 'restify';

const cards = JSON.parse(readFileSync(process.env.FLOOR_CARDS ?? '', 'utf8')) as object[];
const port = Number(process.env.PORT ?? 0);
// No app id: the same unauthenticated mode the bot runs in without BOT_ID.
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const server = restify.createServer({ name: 'bench-floor', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 1_000_000, mapParams: false }));

server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, async (context) => {
    if (context.activity.type !== 'message') return;
    for (const card of cards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  });
});
server.get('/readyz', async (_req, res) => {
  res.json(200, { status: 'ready' });
});

server.listen(port, '127.0.0.1', () => console.log(`floor listening on ${port}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
});
