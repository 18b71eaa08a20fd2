"""Confluent's own Python client against Vigil's broker and registry.

The interop test (test/integration/registry/confluent-interop.test.ts) runs
this with the venv that setup.sh creates. Two sub-commands, JSON lines on
stdin/stdout:

  consume  reads N records of a topic with ProtobufDeserializer through the
           registry and prints {"offset", "schema_id", "value"} per record.
  produce  reads values (JSON objects) from stdin and writes them with
           ProtobufSerializer through the registry: by default as Confluent
           does (auto-registering its schema on first send), with --latest
           using the latest registered version (docs/schema-registry.md).

The message class is built from the registry's latest version of the
subject (format=serialized), as a team without generated classes would; the
deserializer decodes with the *writer's* schema fetched by id either way.
"""
import argparse
import base64
import json
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.protobuf.message_factory import GetMessageClass


def message_class(registry, subject, full_name):
    latest = registry.get_latest_version(subject, fmt="serialized")
    file = descriptor_pb2.FileDescriptorProto()
    file.ParseFromString(base64.standard_b64decode(latest.schema.schema_str))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return GetMessageClass(pool.FindMessageTypeByName(full_name))


def consume(args, registry):
    cls = message_class(registry, f"{args.topic}-value", args.message)
    deserializer = ProtobufDeserializer(cls, {}, registry)
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    seen = 0
    try:
        while seen < args.count:
            msg = consumer.poll(30.0)
            if msg is None:
                raise SystemExit(f"no record within 30 s after {seen} of {args.count}")
            if msg.error():
                raise SystemExit(str(msg.error()))
            value = deserializer(msg.value(), SerializationContext(msg.topic(), MessageField.VALUE))
            print(json.dumps({
                "offset": msg.offset(),
                "schema_id": int.from_bytes(msg.value()[1:5], "big"),
                "value": json_format.MessageToDict(value, preserving_proto_field_name=True, always_print_fields_with_no_presence=True),
            }), flush=True)
            seen += 1
    finally:
        consumer.close()


def produce(args, registry):
    cls = message_class(registry, f"{args.topic}-value", args.message)
    # Confluent's default registers the producer's own schema on first send (as a
    # base64 descriptor); --latest uses the version already registered instead.
    conf = {"auto.register.schemas": False, "use.latest.version": True} if args.latest else {}
    serializer = ProtobufSerializer(cls, registry, conf)
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0})
    sent = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        value = json_format.ParseDict(record["value"], cls())
        producer.produce(args.topic, key=record.get("key"), value=serializer(value, SerializationContext(args.topic, MessageField.VALUE)))
        sent += 1
    if producer.flush(30.0) != 0:
        raise SystemExit("records still unsent after 30 s")
    print(json.dumps({"sent": sent}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["consume", "produce"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True, help="the Confluent-compatible base URL (the shim's)")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--message", default="vigil.v1.Transaction")
    parser.add_argument("--group", default="confluent-interop")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--latest", action="store_true", help="produce: use.latest.version instead of auto-registering")
    args = parser.parse_args()
    registry = SchemaRegistryClient({"url": args.registry})
    (consume if args.command == "consume" else produce)(args, registry)


if __name__ == "__main__":
    main()
