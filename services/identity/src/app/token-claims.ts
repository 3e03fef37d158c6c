/**
 * What identity puts in a person's Cognito tokens, through the user pool's pre-token-generation
 * trigger (V2_0 event, so the access token can carry it too): the tenant (`custom:tenantId`) and
 * the groups as identity's table holds them now. A person who may not sign in (suspended, removed)
 * gets no tokens: the trigger fails and Cognito fails the sign-in or refresh with it.
 */
import type { UserStore } from '../adapters/user-store';
import type { UserGroup } from '../domain/users';
import { sortGroups } from '../domain/users';

export interface TokenClaims {
  tenantId: string;
  groups: UserGroup[];
}

export class NotAllowedToSignIn extends Error {
  constructor() {
    super('this person may not sign in');
    this.name = 'NotAllowedToSignIn';
  }
}

/** The claims for the user Cognito names (our user id is the pool's username). */
export async function tokenClaims(users: Pick<UserStore, 'getUser'>, userId: string): Promise<TokenClaims> {
  const user = await users.getUser(userId, { consistent: true });
  if (!user || user.status !== 'active') throw new NotAllowedToSignIn();
  return { tenantId: user.tenantId, groups: sortGroups(user.groups) };
}
