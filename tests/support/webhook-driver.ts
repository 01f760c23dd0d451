/**
 * Child process of the webhook crash test: sends Scayle webhook deliveries to a running service with
 * `concurrency` requests in flight, and prints one line per delivery answered 2xx
 * (`ack <key> <status>`). About one delivery in eight is a redelivery of an earlier key. It stops
 * after `max` deliveries, `maxSeconds`, or 20 connection failures in a row (the service was killed).
 * Usage: node webhook-driver.js <baseUrl> <user> <password> <concurrency> <max> <maxSeconds>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const [base, user, password, concurrencyArg, maxArg, secondsArg] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg ?? '8');
  const max = Number(maxArg ?? '2000');
  const deadline = Date.now() + Number(secondsArg ?? '30') * 1000;
  const order = JSON.parse(readFileSync(join(__dirname, '../../../tests/fixtures/scayle/OrderGetResponse.json'), 'utf8')) as Record<string, unknown>;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const sent: string[] = [];
  let next = 0;
  let failuresInARow = 0;

  const deliver = async (): Promise<void> => {
    while (next < max && Date.now() < deadline && failuresInARow < 20) {
      const n = next++;
      const redelivery = n % 8 === 7 && sent.length > 0;
      const key = redelivery ? sent[(n * 7919) % sent.length]! : `crash-${n}`;
      const id = redelivery ? Number(key.slice(6)) + 100_000 : n + 100_000;
      const type = id % 3 === 0 ? 'order-invoiced' : 'order-confirmed';
      const body = JSON.stringify({ key, occurredAt: new Date(Date.UTC(2024, 5, 1, 10, 0, n % 60)).toISOString(), type, locale: 'de_DE', payload: { ...order, id, referenceKey: `ref-${id}` } });
      try {
        const res = await fetch(`${base}/v1/ingest/scayle/webhooks`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        const answer = (await res.json()) as { status?: string };
        failuresInARow = 0;
        if (res.status >= 200 && res.status < 300) {
          if (!redelivery) sent.push(key);
          process.stdout.write(`ack ${key} ${answer.status ?? ''}\n`);
        }
      } catch {
        failuresInARow++;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, deliver));
}

void main();
