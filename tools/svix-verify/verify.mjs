// Verifies received webhook requests with the official Svix and Standard Webhooks libraries.
// Reads a JSON array of {"secret", "headers", "body_base64"} on standard input and writes a JSON
// array of {"svix", "standard"}, each "ok" or the library's error message, in the same order.
import { Webhook as SvixWebhook } from "svix";
import { Webhook as StandardWebhook } from "standardwebhooks";

function check(verify) {
  try {
    verify();
    return "ok";
  } catch (error) {
    return String(error && error.message ? error.message : error);
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((request) => {
    const body = Buffer.from(request.body_base64, "base64").toString("utf8");
    return {
      svix: check(() => new SvixWebhook(request.secret).verify(body, request.headers)),
      standard: check(() => new StandardWebhook(request.secret).verify(body, request.headers)),
    };
  });
  process.stdout.write(JSON.stringify(results));
});
