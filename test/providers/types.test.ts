// Type-level guarantees of the generated clients.
//
// Checked by `npx tsc --noEmit -p .` (tsconfig includes test/): every
// `// @ts-expect-error` below must meet a compile error on the next line, or tsc
// reports the directive as unused, and every `expectTypeOf` must hold. The
// functions holding client calls are never called, so nothing is sent at test
// time. Where the type system forbids a client OPTION, the test also checks the
// runtime guard behind it (construction throws before any request).
import { describe, expect, expectTypeOf, it } from "vitest";
import { TokenClientConfigError, createAssetClient } from "../../generated/asset/index.js";
import type {
  AssetClient,
  AssetClientCredentialsParams,
  AssetResponseError,
  AssetToken,
  AssetTokenError,
  AssetTokenResult,
} from "../../generated/asset/index.js";
import type {
  CommerceLayerClient,
  CommerceLayerTokenError,
  CommerceLayerTokenResponse,
  paths as CommerceLayerPaths,
} from "../../generated/commercelayer/index.js";
import { createDevportalClient } from "../../generated/devportal/index.js";
import type { DevportalClient, DevportalTokenResponse, DevportalTokenResult } from "../../generated/devportal/index.js";
import type { ZeepayClient, ZeepayTokenResult } from "../../generated/zeepay/index.js";
import type { ZypeClient, ZypePasswordParams, ZypeRefreshTokenParams, ZypeTokenResult } from "../../generated/zype/index.js";

type CommerceLayerRequestBody = CommerceLayerPaths["/oauth/token"]["post"]["requestBody"]["content"]["application/json"];

describe("generated client types", () => {
  it("reject a grant call missing a required field", () => {
    function zypeRefreshWithoutToken(zype: ZypeClient): Promise<ZypeTokenResult> {
      // @ts-expect-error refresh_token is required by the refresh_token grant
      return zype.refreshToken({});
    }
    function zeepayPasswordWithoutPassword(zeepay: ZeepayClient): Promise<ZeepayTokenResult> {
      // @ts-expect-error password is required by the password grant
      return zeepay.password({ username: "ann@example.com" });
    }
    function devportalCodeWithoutCode(devportal: DevportalClient): Promise<DevportalTokenResult> {
      // @ts-expect-error code is required by the authorization_code grant
      return devportal.authorizationCode({ redirect_uri: "https://app.example.com/cb" });
    }
    function devportalCodeWithoutRedirect(devportal: DevportalClient): Promise<DevportalTokenResult> {
      // @ts-expect-error redirect_uri is required by the authorization_code grant
      return devportal.authorizationCode({ code: "c0de" });
    }
    function commerceLayerPasswordWithoutUsername(cl: CommerceLayerClient): Promise<unknown> {
      // @ts-expect-error username is required by the password grant
      return cl.password({ password: "pw" });
    }
    expectTypeOf<ZypeRefreshTokenParams>().toEqualTypeOf<{ refresh_token: string }>();
    expect([zypeRefreshWithoutToken, zeepayPasswordWithoutPassword, devportalCodeWithoutCode, devportalCodeWithoutRedirect, commerceLayerPasswordWithoutUsername]).toHaveLength(5);
  });

  it("accept each of zype's credential alternatives and reject mixing them", () => {
    function alternatives(zype: ZypeClient): Promise<ZypeTokenResult>[] {
      return [
        zype.password({ username: "ann@example.com", password: "pw" }),
        zype.password({ linked_device_id: "dev-42", pin: "0042" }),
        // @ts-expect-error username belongs with password, not with pin
        zype.password({ username: "ann@example.com", pin: "0042" }),
        // @ts-expect-error linked_device_id belongs with pin, not with password
        zype.password({ linked_device_id: "dev-42", password: "pw" }),
        // @ts-expect-error one alternative only: pin cannot ride along with username + password
        zype.password({ username: "ann@example.com", password: "pw", pin: "0042" }),
        // @ts-expect-error an alternative needs both of its fields
        zype.password({ linked_device_id: "dev-42" }),
        // @ts-expect-error some credentials are needed
        zype.password({}),
      ];
    }
    expectTypeOf<{ username: string; password: string }>().toMatchTypeOf<ZypePasswordParams>();
    expectTypeOf<{ linked_device_id: string; pin: string }>().toMatchTypeOf<ZypePasswordParams>();
    expectTypeOf<{ username: string; pin: string }>().not.toMatchTypeOf<ZypePasswordParams>();
    expect(alternatives).toBeTypeOf("function");
  });

  it("reject values outside the spec's enums and grant fields the client owns", () => {
    // @ts-expect-error devportal's token_type is the enum ["bearer"]
    const wrongTokenType: DevportalTokenResponse = { access_token: "at", token_type: "Bearer" };
    // @ts-expect-error commercelayer's password variant has grant_type enum ["password"]
    const wrongGrant: CommerceLayerRequestBody = { grant_type: "client_credentials", username: "u", password: "p", client_id: "c" };
    function grantTypeIsNotAParam(devportal: DevportalClient, cl: CommerceLayerClient): Promise<unknown>[] {
      return [
        // @ts-expect-error grant_type is set by the method, not the caller
        devportal.clientCredentials({ grant_type: "refresh_token" }),
        // @ts-expect-error client credentials come from the client options
        cl.refreshToken({ refresh_token: "rt", client_id: "someone-else" }),
      ];
    }
    expectTypeOf<DevportalTokenResponse["token_type"]>().toEqualTypeOf<"bearer" | undefined>();
    expectTypeOf<CommerceLayerRequestBody["grant_type"]>().toEqualTypeOf<"password" | "refresh_token">();
    expect([wrongTokenType, wrongGrant, grantTypeIsNotAParam]).toHaveLength(3);
  });

  it("narrow errors to the documented statuses and their bodies", () => {
    function narrow(result: AssetTokenResult): unknown {
      if (result.ok) return result.token.accessToken;
      const error = result.error;
      if (error.kind === "response") {
        expectTypeOf(error.status).toEqualTypeOf<401 | 403 | 404 | 422 | 503>();
        // @ts-expect-error 418 is not a status the spec documents
        if (error.status === 418) return undefined;
        if (error.status === 422) {
          expectTypeOf(error.body.error).toEqualTypeOf<string | null>();
          return error.body.error;
        }
      }
      if (error.kind === "network") {
        // @ts-expect-error a network error carries no body
        return error.body;
      }
      if (error.kind === "unexpected_status") {
        expectTypeOf(error.status).toEqualTypeOf<number>();
        expectTypeOf(error.body).toEqualTypeOf<unknown>();
      }
      return undefined;
    }
    type Asset422 = Extract<AssetResponseError, { status: 422 }>;
    expectTypeOf<Asset422["body"]>().toEqualTypeOf<{ error: string | null; data: unknown }>();
    expectTypeOf<Asset422["body"]["error"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Asset422["body"]>().not.toBeAny();
    expectTypeOf<AssetResponseError["status"]>().toEqualTypeOf<401 | 403 | 404 | 422 | 503>();
    expectTypeOf<AssetTokenError["kind"]>().toEqualTypeOf<
      "response" | "unexpected_status" | "network" | "timeout" | "aborted" | "invalid_response"
    >();
    // No documented errors: nothing narrows to kind "response".
    expectTypeOf<Extract<CommerceLayerTokenError, { kind: "response" }>>().toBeNever();
    expect(narrow).toBeTypeOf("function");
  });

  it("type the normalised token and the raw body from the spec", () => {
    expectTypeOf<AssetToken["accessToken"]>().toEqualTypeOf<string>();
    expectTypeOf<AssetToken["expiresAt"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<AssetToken["raw"]>().toEqualTypeOf<{ access_token: string; token_type: string; expires_in: number }>();
    expectTypeOf<CommerceLayerTokenResponse["created_at"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<AssetClientCredentialsParams>().toEqualTypeOf<{
      business_id?: string | null;
      expires_in?: number;
      scope?: string | null;
      resource?: string[] | null;
    }>();
    function secretIsOptional(): AssetClient {
      return createAssetClient({ server: "production", clientId: "cid" });
    }
    expect(secretIsOptional).toBeTypeOf("function");
  });

  it("accept only asset's named servers (and reject an unknown one at runtime too)", () => {
    expectTypeOf(createAssetClient).toBeCallableWith({ server: "sandbox", clientId: "cid" });
    expectTypeOf(createAssetClient).toBeCallableWith({ server: "production", clientId: "cid", clientSecret: "s" });
    expectTypeOf(createAssetClient).toBeCallableWith({ baseUrl: "https://asset.example", clientId: "cid" });
    // @ts-expect-error "staging" is not a server asset's spec names
    expect(() => createAssetClient({ server: "staging", clientId: "cid" })).toThrow(TokenClientConfigError);
  });

  it("require asset's server or baseUrl, since the spec names two servers", () => {
    // @ts-expect-error neither server nor baseUrl: asset has two servers to choose from
    expect(() => createAssetClient({ clientId: "cid", clientSecret: "s" })).toThrow(/pass server or baseUrl/);
  });

  it("require devportal's baseUrl, since the spec names no server", () => {
    // @ts-expect-error devportal declares no server, so baseUrl is required
    expect(() => createDevportalClient({ clientId: "cid", clientSecret: "s" })).toThrow(/baseUrl is required/);
    // @ts-expect-error there are no server names to pick from
    expect(() => createDevportalClient({ server: "default", clientId: "cid", clientSecret: "s" })).toThrow(TokenClientConfigError);
  });
});
