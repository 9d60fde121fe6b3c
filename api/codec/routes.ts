/**
 * The codec endpoint for the Temporal UI (and `temporal --codec-endpoint`): Temporal's remote codec
 * protocol, `POST /codec/encode` and `POST /codec/decode`. Decoding shows request instructions in clear,
 * so only staff who handle requests may call it.
 */
import express, { Router, type RequestHandler, type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Role } from '../../domain/roles';
import { CodecKeyError, payloadCodecsFor } from '../../runtime/codec';
import { devUiOrigins } from '../../runtime/config';
import { authenticate, requireRole } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';
import { corsForTemporalUi } from './cors';
import { codecSessionRouter, codecToken } from './session';
import { readPayloads, writePayloads } from './payload-json';

export const CODEC_ROLES: readonly Role[] = ['operator_l1', 'sla_manager', 'admin'];
/** A history page can hold many payloads of up to 2 MB each: more room than the API's own limit. */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Mounted at `/codec` before the API's own body parser (its limit is sized for API calls). `limiter` is
 * the API's rate limiter, shared so a token has one budget across /v1 and /codec.
 */
export function codecRouter(context: ApiContext, limiter: RequestHandler): Router {
  const { config, db } = context;
  // Without keys nothing is encrypted: both operations hand payloads back unchanged.
  const [codec] = payloadCodecsFor(config.temporal.codec);
  const router = Router();
  router.use(corsForTemporalUi(config.api.codecCorsOrigins ?? devUiOrigins(config.devServer.uiPort)));
  router.use(limiter);
  router.use(codecSessionRouter(context, CODEC_ROLES));
  router.use(authenticate(db, config.adminToken, codecToken));
  router.use((_req, res, next) => {
    requireRole(res, ...CODEC_ROLES);
    next();
  });
  router.use(express.json({ limit: CODEC_BODY_LIMIT_BYTES, strict: true }));
  router.post('/encode', codecHandler(context, (payloads) => (codec ? codec.encode(payloads) : Promise.resolve(payloads))));
  router.post('/decode', codecHandler(context, (payloads) => (codec ? codec.decode(payloads) : Promise.resolve(payloads))));
  return router;
}

function codecHandler(context: ApiContext, transform: PayloadCodec['encode']) {
  return async (req: Request, res: Response): Promise<void> => {
    const namespace = req.get('x-namespace');
    const served = context.config.temporal.namespace;
    if (namespace !== undefined && namespace !== served) throw problems.badRequest(`this codec serves namespace "${served}", not "${namespace}"`);
    const payloads = readPayloads(req.body);
    let result: Payload[];
    try {
      result = await transform(payloads);
    } catch (error) {
      if (error instanceof CodecKeyError) throw problems.badRequest(error.message);
      throw error;
    }
    res.json(writePayloads(result));
  };
}
