import type { Handlers } from '../../generated/hono.gen.ts';
import { currentUser, type AppDependencies, type AppEnv } from '../app-env.ts';
import { decodeCursor, invalidCursorProblem } from '../pagination.ts';
import { instanceOf, invalidBodyProblem, notFoundProblem, respondWithProblem, type ValidationError } from '../problem.ts';
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
  return notFoundProblem(`webhook subscription ${subscriptionId}`, instance);
}

function invalidSubscription(errors: ValidationError[], instance: string) {
  return invalidBodyProblem(errors, instance);
}

export function createWebhookHandlers({ db, config, changes }: AppDependencies): WebhookHandlers {
  const policy = { allowPrivateUrls: config.webhooks.allowPrivateUrls };

  return {
    createWebhookSubscription: async (c) => {
      const result = await createSubscription(db, c.req.valid('json'), currentUser(c).id, policy);
      if (!result.ok) return respondWithProblem(c, invalidSubscription(result.errors, instanceOf(c)));
      return c.json(result.value, 201, { Location: `/webhooks/subscriptions/${result.value.id}`, ...noStore });
    },

    listWebhookSubscriptions: async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(instanceOf(c)));
      return c.json(await listSubscriptions(db, { after, limit }), 200);
    },

    getWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const subscription = await getSubscription(db, subscriptionId);
      if (!subscription) return respondWithProblem(c, subscriptionNotFound(subscriptionId, instanceOf(c)));
      return c.json(subscription, 200);
    },

    updateWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const result = await changeSubscription(db, subscriptionId, c.req.valid('json'), policy);
      if (result.ok) return c.json(result.value, 200);
      if (result.reason === 'not-found') return respondWithProblem(c, subscriptionNotFound(subscriptionId, instanceOf(c)));
      return respondWithProblem(c, invalidSubscription(result.errors, instanceOf(c)));
    },

    deleteWebhookSubscription: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      if (!(await removeSubscription(db, subscriptionId))) return respondWithProblem(c, subscriptionNotFound(subscriptionId, instanceOf(c)));
      return c.body(null, 204);
    },

    rotateWebhookSecret: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const secret = await rotateSecret(db, subscriptionId);
      if (!secret) return respondWithProblem(c, subscriptionNotFound(subscriptionId, instanceOf(c)));
      return c.json(secret, 200, noStore);
    },

    listWebhookDeliveries: async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const { cursor, limit } = c.req.valid('query');
      const after = decodeCursor(cursor);
      if (after === 'malformed') return respondWithProblem(c, invalidCursorProblem(instanceOf(c)));
      const page = await listDeliveries(db, subscriptionId, { after, limit });
      if (!page) return respondWithProblem(c, subscriptionNotFound(subscriptionId, instanceOf(c)));
      return c.json(page, 200);
    },

    redeliverWebhook: async (c) => {
      const { subscriptionId, deliveryId } = c.req.valid('param');
      const delivery = await redeliver(db, subscriptionId, deliveryId);
      if (!delivery) {
        return respondWithProblem(
          c,
          notFoundProblem(`delivery ${deliveryId} of webhook subscription ${subscriptionId}`, instanceOf(c)),
        );
      }
      // The delivery is due now: wake this instance's worker rather than wait for its next poll.
      changes.eventsRecorded();
      return c.json(delivery, 202);
    },
  };
}
