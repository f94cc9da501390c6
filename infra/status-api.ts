import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField as F,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { PolicyDocument } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_RESOURCE_PATH, STAGE_NAME } from './api-route.ts';
import { callerStatements } from './callers.ts';
import { encryptedLogGroup } from './log-groups.ts';
import { requestModelSchema } from './request-model.ts';
import type { Settings } from './settings.ts';

/**
 * Who called, what came back, how long it took. No body and no validation detail: API Gateway's
 * validation message quotes the rejected value, which may be a phone number.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: F.contextRequestId(),
    extendedRequestId: F.contextExtendedRequestId(),
    requestTime: F.contextRequestTime(),
    httpMethod: F.contextHttpMethod(),
    resourcePath: F.contextResourcePath(),
    status: F.contextStatus(),
    responseLength: F.contextResponseLength(),
    responseLatency: F.contextResponseLatency(),
    integrationStatus: F.contextIntegrationStatus(),
    integrationLatency: F.contextIntegrationLatency(),
    errorMessage: F.contextErrorMessage(),
    errorResponseType: F.contextErrorResponseType(),
    sourceIp: F.contextIdentitySourceIp(),
    callerAccountId: F.contextIdentityAccountId(),
    userArn: F.contextIdentityUserArn(),
    userAgent: F.contextIdentityUserAgent(),
    xrayTraceId: F.contextXrayTraceId(),
  }),
);

/** API Gateway's own refusals in the function's error envelope: `{"error": {code, message, request_id}}`. */
const errorTemplate = (code: string) =>
  `{"error":{"code":"${code}","message":$context.error.messageString,"request_id":"$context.requestId"}}`;

/** The REST API: one IAM-authorised POST, validated against the contract before the function runs. */
export class StatusApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly url: string;

  constructor(scope: Construct, id: string, props: { settings: Settings; function: IFunction; logsKey: IKey }) {
    super(scope, id);
    const { settings } = props;
    this.accessLogs = encryptedLogGroup(this, 'AccessLogs', settings, props.logsKey);

    this.api = new RestApi(this, 'Api', {
      restApiName: Stack.of(this).stackName,
      description: 'Sets a Thulium outbound-campaign status by phone number',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: settings.apiGatewayCloudWatchRole,
      cloudWatchRoleRemovalPolicy: settings.apiGatewayCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      policy: callersPolicy(settings),
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: settings.apiThrottleRateLimit,
        throttlingBurstLimit: settings.apiThrottleBurstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });

    // API Gateway would create this group itself, unencrypted and kept forever; it must exist before the stage logs.
    const executionLogs = encryptedLogGroup(
      this,
      'ExecutionLogs',
      settings,
      props.logsKey,
      `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
    );
    this.api.deploymentStage.node.addDependency(executionLogs);

    const model = this.api.addModel('StatusUpdateRequest', {
      modelName: 'StatusUpdateRequest',
      contentType: 'application/json',
      schema: requestModelSchema(),
    });
    // The method has no required parameters; checking them too costs nothing and is what cdk-nag APIG2 asks.
    const validator = this.api.addRequestValidator('BodyValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const resource = this.api.root.resourceForPath(API_RESOURCE_PATH);
    const method = resource.addMethod('POST', new LambdaIntegration(props.function, { allowTestInvoke: false }), {
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });

    this.api.addGatewayResponse('InvalidBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: { 'application/json': errorTemplate('VALIDATION_FAILED') },
    });
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      this.api.addGatewayResponse(id, {
        type,
        templates: { 'application/json': errorTemplate('$context.error.responseType') },
      });
    }
    // A resource policy takes effect only with a new deployment; CDK redeploys on method changes, not on this.
    this.api.latestDeployment?.addToLogicalId({
      callerAccountIds: settings.callerAccountIds,
      callerOrganizationIds: settings.callerOrganizationIds,
    });
    this.acknowledge(method, settings);
    this.url = this.api.urlForPath(`/${API_RESOURCE_PATH}`);
  }

  private acknowledge(method: Method, settings: Settings): void {
    Validations.of(method).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason:
          'Callers are workloads, not people: the method uses AWS_IAM (SigV4) authorisation, which cdk-nag APIG4 accepts; a Cognito user pool would add a second identity system for machines that already have IAM roles.',
      },
      {
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          "The permission's principal is apigateway.amazonaws.com with a SourceArn naming this API's POST method only. The rule accepts a SourceArn only as a plain string or a Ref/GetAtt; this one is an Fn::Join of the API id, region and account.",
      },
    );
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG3',
      reason: `Only SigV4-signed requests from allowed IAM principals reach the integration; unsigned traffic is refused by API Gateway before it costs anything. The stage is throttled (${settings.apiThrottleRateLimit} rps, burst ${settings.apiThrottleBurstLimit}). A web ACL can be attached by the account's Firewall Manager policy without changing this stack.`,
    });
    if (settings.apiGatewayCloudWatchRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-wide logging role, as AWS documents it: the AWS-maintained AmazonAPIGatewayPushToCloudWatchLogs policy is the one API Gateway expects and AWS keeps current.",
      });
    }
  }
}

/**
 * With AWS_IAM, a caller in this account needs only its own IAM policy. Callers in other accounts
 * need this resource policy as well as theirs.
 */
function callersPolicy(settings: Settings): PolicyDocument | undefined {
  const statements = callerStatements(settings, ['execute-api:Invoke'], [`execute-api:/*/POST/${API_RESOURCE_PATH}`]);
  return statements.length > 0 ? new PolicyDocument({ statements }) : undefined;
}
