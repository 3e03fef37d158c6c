// What activity's suites need around the real local cloud (identity + activity): tenants made by the
// operator API, people invited through identity's API and signed in through the real e-mail code
// flow, requests with their tokens, the bus watched from outside, a function's environment changed
// as an operator would on AWS, and activity's table read back.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { personFromClaims } from '@switchyard/access';
import { OperatorApi } from '@switchyard/cli/src/api';
import { bearerRequest, eventually, LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
import type { ApiResponse, BusEnvelope, BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';

export interface Someone {
  userId: string;
  tenantId: string;
  email: string;
  token: string;
}

export interface Tenant {
  tenantId: string;
  adminKey: string;
  admin: Someone;
}

export const uniqueLabel = () => randomUUID().slice(0, 8);

export class ActivityCloud {
  readonly doc: DynamoDBDocumentClient;
  private readonly lambda: LambdaClient;
  private readonly operator: OperatorApi;

  constructor(readonly cloud: RunningLocalCloud) {
    const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
    this.doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb }),
    );
    this.lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
    this.operator = new OperatorApi({ baseUrl: cloud.apiUrl, ...common });
  }

  get table(): string {
    return `activity-${this.cloud.stage}`;
  }

  /** A request as `who` (a person's access token; none for undefined). */
  api<T = Record<string, unknown>>(
    who: Pick<Someone, 'token'> | undefined,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    return bearerRequest<T>(this.cloud, who?.token, method, path, body) as Promise<ApiResponse<T>>;
  }

  /** A tenant made by the operator API, its admin signed in. */
  async tenant(label: string): Promise<Tenant> {
    const adminEmail = `${label}-admin-${uniqueLabel()}@example.com`;
    const created = await this.operator.request<{ tenant: { tenantId: string }; apiKey: { key: string } }>(
      'POST',
      '/operator/tenants',
      { body: { name: `Activity ${label}`, adminEmail } },
    );
    return {
      tenantId: created.tenant.tenantId,
      adminKey: created.apiKey.key,
      admin: await this.signIn(adminEmail),
    };
  }

  /** Someone invited into `tenant` by its admin (identity's POST /users), then signed in. */
  async invite(tenant: Tenant, label: string, displayName: string): Promise<Someone> {
    const email = `${label}-${uniqueLabel()}@example.com`;
    const invited = await bearerRequest(this.cloud, tenant.adminKey, 'POST', '/users', {
      email,
      displayName,
    });
    if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${JSON.stringify(invited.body)}`);
    return this.signIn(email);
  }

  /** The real sign-in: /auth/login, the code from the local mailbox, /auth/verify. */
  async signIn(email: string): Promise<Someone> {
    const codeMails = async () =>
      (await listEmails(this.cloud.endpoints.ses)).filter(
        (mail) =>
          mail.destination.to.includes(email) && mail.subject.startsWith('Your Switchyard sign-in code'),
      );
    const before = (await codeMails()).length;
    const login = await bearerRequest(this.cloud, undefined, 'POST', '/auth/login', { email });
    if (login.status !== 202) throw new Error(`login: ${login.status}`);
    const code = await eventually(
      async () => {
        const mails = await codeMails();
        return mails.length > before ? /\b(\d{6})\b/.exec(mails.at(-1)?.subject ?? '')?.[1] : undefined;
      },
      { what: `the sign-in code for ${email}` },
    );
    const verify = await bearerRequest<{ accessToken: string }>(
      this.cloud,
      undefined,
      'POST',
      '/auth/verify',
      {
        email,
        code,
      },
    );
    if (verify.status !== 200) throw new Error(`verify: ${verify.status}`);
    const token = verify.body.accessToken;
    const person = personFromClaims(
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >,
    );
    return { email, token, userId: person.userId, tenantId: person.tenantId ?? '' };
  }

  /** Adds variables to an activity function's environment (the next invocations see them). */
  async configure(functionName: string, variables: Record<string, string>) {
    const FunctionName = `activity-${this.cloud.stage}-${functionName}`;
    const current = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    await this.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: { Variables: { ...(current.Environment?.Variables ?? {}), ...variables } },
      }),
    );
  }

  close() {
    this.doc.destroy();
    this.lambda.destroy();
  }
}

/** The detail of the first event on `tap` of `detailType` that `match` accepts, waiting for it. */
export async function onBus(
  tap: BusTap,
  detailType: string,
  match: (detail: Record<string, unknown>) => boolean,
  timeoutMs?: number,
): Promise<Record<string, unknown>> {
  const find = (seen: BusEnvelope[]) => seen.find((e) => e['detail-type'] === detailType && match(e.detail));
  const seen = await tap.take((all) => find(all) !== undefined, timeoutMs);
  return find(seen)!.detail;
}
