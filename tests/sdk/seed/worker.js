import { getSecret } from "hq-vault";
const awsKey = await getSecret("aws/deploy/access-key");
const awsSecret = await getSecret("aws/deploy/secret-key");
