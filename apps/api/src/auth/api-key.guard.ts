import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HttpRequest as Request } from '../http/http-types.js';
import { ApiKeyRepository } from '#registry';
import { ApiError, forbidden } from '../http/api-error.js';
import { type Principal, isReadMethod, principalOf } from './access.js';

const PUBLIC = Symbol('public');
/** A route without a key: /health, /metrics, /api/docs. */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthedRequest = Request & { principal?: Principal };

/**
 * Every route needs `Authorization: Bearer <key>` unless marked @Public(): none or a bad key is a
 * 401, an inspector's key on anything but a read is a 403. Scope (which community) is checked
 * where the community is known, in the services.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRepository,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    if (!match) throw new ApiError('unauthorized', 'an API key is required: Authorization: Bearer <key>');
    const record = this.keys.verify(match[1]);
    if (!record) throw new ApiError('unauthorized', 'unknown or revoked API key');
    const principal = principalOf(record);
    if (principal.role === 'inspector' && !isReadMethod(request.method)) throw forbidden('an inspector key is read-only');
    request.principal = principal;
    return true;
  }
}

/** The caller, as the guard found it. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new ApiError('unauthorized', 'an API key is required');
  return principal;
});
