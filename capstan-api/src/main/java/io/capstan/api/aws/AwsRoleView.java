package io.capstan.api.aws;

import java.util.Optional;

/** The AWS role an account's clusters may ask the control plane to assume for them, with its session policy. */
public record AwsRoleView(String account, String roleArn, Optional<String> sessionPolicy) {}
