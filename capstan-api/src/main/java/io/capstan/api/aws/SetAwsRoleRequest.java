package io.capstan.api.aws;

import java.util.Optional;

/**
 * Sets the AWS role of an account: an IAM role ARN the control plane's own AWS credentials may assume, and an
 * optional session policy (an IAM policy document, JSON) that narrows what the assumed credentials may do.
 */
public record SetAwsRoleRequest(String roleArn, Optional<String> sessionPolicy) {}
