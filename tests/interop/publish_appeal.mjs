// Publishes one appeal.v1 `appeal.received` event the way docs/bus.md tells an outside program to:
// exchange `appeals`, routing key `intake.<channel>`, persistent, JSON, message_id = event_id,
// type = event name, mandatory, on a confirm channel. Usage: node publish_appeal.mjs AMQP_URI EXTERNAL_ID
import amqp from 'amqplib';
import { createHash } from 'node:crypto';

const [uri, externalId] = process.argv.slice(2);
if (!uri || !externalId) {
  console.error('usage: node publish_appeal.mjs AMQP_URI EXTERNAL_ID');
  process.exit(2);
}

const channelId = 'districtsys';
const eventId = 'ev1-' + createHash('sha256').update(`appeal.received\x1f${channelId}\x1f${externalId}\x1fnew`).digest('hex').slice(0, 32);
const event = {
  schema: 'appeal.v1',
  event: 'appeal.received',
  event_id: eventId,
  occurred_at: '2026-11-28T10:15:00+08:00',
  producer: 'zhaohua-district-system',
  data: {
    appeal: {
      channel: channelId,
      external_id: externalId,
      received_at: '2026-11-28T10:15:00+08:00',
      kind: 'complaint',
      category: 'road_passenger',
      division: '510811',
      place: '昭化区汽车站',
      plate: '川HA1234',
      title: '班车超员',
      content: '昭化到广元的班车经常超员，过道上站满了人。',
      citizen: { name: '王女士', phone: '13808391234', email: '', id_number_masked: '', anonymous: false },
      urgency: 'normal',
      channel_deadline: null,
      related: [],
      attachments: [],
      publication_allowed: false,
      channel_meta: { source: 'amqplib interop test' },
    },
  },
};

const connection = await amqp.connect(uri);
const channel = await connection.createConfirmChannel();
let returned = false;
channel.on('return', () => { returned = true; });
await new Promise((resolve, reject) => {
  channel.publish('appeals', `intake.${channelId}`, Buffer.from(JSON.stringify(event)), {
    persistent: true,
    contentType: 'application/json',
    messageId: eventId,
    type: 'appeal.received',
    mandatory: true,
  }, (err) => (err ? reject(err) : resolve()));
});
await channel.close();
await connection.close();
if (returned) {
  console.error('the broker returned the message: no queue is bound to intake.' + channelId);
  process.exit(1);
}
console.log(JSON.stringify({ published: eventId, external_id: externalId }));
