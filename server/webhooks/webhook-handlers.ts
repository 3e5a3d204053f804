import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { decodeCursor, invalidCursorProblem } from '../pagination.ts';
import { problem, respondWithProblem, type ValidationError } from '../problem.ts';
import {
  changeSubscription,
  createSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  removeSubscription,
  rotateSecret,
} from './webhook-service.ts';

type WebhookHandlers = Pick<
  Handlers<AppEnv>,
  | 'createWebhookSubscription'
  | 'listWebhookSubscriptions'
  | 'getWebhookSubscription'
  | 'updateWebhookSubscription'
  | 'deleteWebhookSubscription'
  | 'rotateWebhookSecret'
  | 'listWebhookDeliveries'
  | 'redeliverWebhook'
>;

/** Secrets in an answer must not be kept by any cache. */
const noStore = { 'Cache-Control': 'no-store' } as const;

function subscriptionNotFound(subscriptionId: string, instance: string) {
  return problem({ type: 'not-found', detail: `There is no webhook subscription ${subscriptionId}.`, instance });
}

function invalidSubscription(errors: ValidationError[], instance: string) {
  return problem({ type: 'validation-failed', detail: errors.map((error) => error.detail).join(' '), instance, errors });
}

export function createWebhookHandlers({ db, config, changes }: AppDependencies): WebhookHandlers {
  const policy = { allowPrivateUrls: config.webhooks.allowPrivateUrls };

  return {
    createWebhookSubscription: async (c) => {
      const result = await createSubscription(db, c.req.valid('json'), currentUser(c).id, policy);
      if (!result.ok) return respondWithProblem(c, invalidSubscription(result.errors, c.req.path));
      return c.json(result.value, 201, { Location: `/webhooks/subscriptions/${result.value.id}`, ...noStore });
    },

    listWebhookSubscriptions: async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(c.req.path));
      return c.json(await listSubscriptions(db, { after, limit }), 200);
    },

    getWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const subscription = await getSubscription(db, subscriptionId);
      if (!subscription) return respondWithProblem(c, subscriptionNotFound(subscriptionId, c.req.path));
      return c.json(subscription, 200);
    },

    updateWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const result = await changeSubscription(db, subscriptionId, c.req.valid('json'), policy);
      if (result.ok) return c.json(result.value, 200);
      if (result.reason === 'not-found') return respondWithProblem(c, subscriptionNotFound(subscriptionId, c.req.path));
      return respondWithProblem(c, invalidSubscription(result.errors, c.req.path));
    },

    deleteWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      if (!(await removeSubscription(db, subscriptionId))) return respondWithProblem(c, subscriptionNotFound(subscriptionId, c.req.path));
      return c.body(null, 204);
    },

    rotateWebhookSecret: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const secret = await rotateSecret(db, subscriptionId);
      if (!secret) return respondWithProblem(c, subscriptionNotFound(subscriptionId, c.req.path));
      return c.json(secret, 200, noStore);
    },

    listWebhookDeliveries: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const { cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(c.req.path));
      const page = await listDeliveries(db, subscriptionId, { after, limit });
      if (!page) return respondWithProblem(c, subscriptionNotFound(subscriptionId, c.req.path));
      return c.json(page, 200);
    },

    redeliverWebhook: async (c) => {
      const { subscriptionId, deliveryId } = c.req.valid('param');
      const delivery = await redeliver(db, subscriptionId, deliveryId);
      if (!delivery) {
        return respondWithProblem(
          c,
          problem({ type: 'not-found', detail: `Webhook subscription ${subscriptionId} has no delivery ${deliveryId}.`, instance: c.req.path }),
        );
      }
      // The delivery is due now: wake this instance's worker rather than wait for its next poll.
      changes.eventsRecorded();
      return c.json(delivery, 202);
    },
  };
}
